package dev.kiln.processor.graph;

import dev.kiln.processor.parse.InputRef;
import dev.kiln.processor.parse.MethodDecl;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds the cycles among a model's methods, each once, as the path data takes around it,
 * starting at the method where a walk in declaration order enters it (after Dagger's {@code
 * DependencyCycleValidator}).
 */
public final class Cycles {

  private Cycles() {}

  /**
   * Every cycle as the names along it in the direction data flows, the entry first and again
   * last: {@code [a, b, c, a]} when b reads a, c reads b and a reads c.
   */
  public static List<List<String>> of(LayerGraph graph) {
    List<List<String>> cycles = new ArrayList<>();
    Set<Set<String>> seen = new HashSet<>();
    Set<String> done = new HashSet<>();
    for (String start : graph.names()) {
      if (!done.contains(start)) {
        walk(graph, start, done, seen, cycles);
      }
    }
    return cycles;
  }

  /** One frame of the depth-first walk: a method and the next of its inputs to follow. */
  private static final class Frame {
    final MethodDecl method;
    int next;

    Frame(MethodDecl method) {
      this.method = method;
    }
  }

  /**
   * Depth-first from {@code start} along the references (from a method to the layers it reads),
   * with an explicit stack so that long chains of layers cannot overflow the thread's stack.
   */
  private static void walk(
      LayerGraph graph,
      String start,
      Set<String> done,
      Set<Set<String>> seen,
      List<List<String>> cycles) {
    Deque<Frame> stack = new ArrayDeque<>();
    List<String> path = new ArrayList<>();
    Map<String, Integer> onPath = new HashMap<>();
    stack.push(new Frame(graph.method(start)));
    path.add(start);
    onPath.put(start, 0);
    while (!stack.isEmpty()) {
      Frame frame = stack.peek();
      List<InputRef> inputs = frame.method.inputs();
      if (frame.next == inputs.size()) {
        stack.pop();
        String name = path.remove(path.size() - 1);
        onPath.remove(name);
        done.add(name);
        continue;
      }
      String read = inputs.get(frame.next++).layer();
      MethodDecl next = graph.method(read);
      if (next == null || done.contains(read)) {
        continue;
      }
      Integer entry = onPath.get(read);
      if (entry != null) {
        List<String> cycle = path.subList(entry, path.size());
        if (seen.add(new TreeSet<>(cycle))) {
          cycles.add(flow(cycle));
        }
        continue;
      }
      stack.push(new Frame(next));
      onPath.put(read, path.size());
      path.add(read);
    }
  }

  /**
   * {@code readers} lists methods each reading the next; data flows the other way, so the flow
   * is the entry, then the rest backwards, then the entry again.
   */
  private static List<String> flow(List<String> readers) {
    List<String> flow = new ArrayList<>();
    flow.add(readers.get(0));
    for (int i = readers.size() - 1; i >= 0; i--) {
      flow.add(readers.get(i));
    }
    return flow;
  }
}
