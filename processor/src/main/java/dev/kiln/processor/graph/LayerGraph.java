package dev.kiln.processor.graph;

import dev.kiln.processor.parse.InputRef;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.parse.MethodDecl;
import dev.kiln.processor.parse.ModelDecl;
import dev.kiln.processor.parse.Unreadable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The methods of a model as a graph: an edge from each method to each layer it reads. Building
 * it reports nothing; the {@code check} validators read it. It tolerates every mistake they
 * report (unknown names, cycles, unreadable methods) and orders, for shape inference, the layers
 * that can be computed: those that reach an output and read only such layers.
 */
public final class LayerGraph {

  private final ModelDecl model;
  private final Map<String, MethodDecl> byName;
  private final Set<String> live;
  private final List<LayerDecl> order;
  private Map<String, List<MethodDecl>> readers;

  private LayerGraph(ModelDecl model, Map<String, MethodDecl> byName) {
    this.model = model;
    this.byName = byName;
    this.live = reachingOutputs();
    List<LayerDecl> computable = computable();
    List<LayerDecl> liveAndComputable =
        computable.stream().filter(layer -> live.contains(layer.name())).toList();
    // Keras' order needs whole paths to the outputs; with a mistake on the way, any
    // topological order lets shape inference check the layers before it.
    this.order = liveAndComputable.size() == live.size()
        ? kerasOrder()
        : liveAndComputable;
  }

  public static LayerGraph of(ModelDecl model) {
    Map<String, MethodDecl> byName = new LinkedHashMap<>();
    model.methods().forEach(method -> byName.putIfAbsent(method.name(), method));
    return new LayerGraph(model, byName);
  }

  public ModelDecl model() {
    return model;
  }

  /** The method first declared with this name, or null if there is none. */
  public MethodDecl method(String name) {
    return byName.get(name);
  }

  /** The layer of this name, or null if there is none or its method could not be read. */
  public LayerDecl layer(String name) {
    return byName.get(name) instanceof LayerDecl layer ? layer : null;
  }

  /** The names of all methods, each once, in declaration order. */
  public Set<String> names() {
    return Collections.unmodifiableSet(byName.keySet());
  }

  /**
   * Whether some reference is not known: it names a method that does not exist, or it is a
   * parameter too wrong to read.
   */
  public boolean hasUnknownReferences() {
    return model.methods().stream()
            .anyMatch(method -> method instanceof Unreadable unreadable && !unreadable.allInputs())
        || model.methods().stream()
            .flatMap(method -> method.inputs().stream())
            .anyMatch(input -> !byName.containsKey(input.layer()));
  }

  /** Whether the method of this name feeds an {@code @Output}, or is one. */
  public boolean reachesOutput(String name) {
    return live.contains(name);
  }

  /**
   * The layers that reach an output and can be computed, inputs first and outputs last, in the
   * order Keras' summary lists them. It is a topological order: every layer comes after the
   * layers it reads. When the model has no mistakes, these are all the layers reaching an output.
   */
  public List<LayerDecl> order() {
    return order;
  }

  /** The layers reading this one, once per reading parameter, in declaration order. */
  public List<MethodDecl> readers(String name) {
    if (readers == null) {
      // Indexed on first use, so that asking about every layer stays linear in the layers.
      readers = new HashMap<>();
      for (MethodDecl method : byName.values()) {
        for (InputRef input : method.inputs()) {
          readers.computeIfAbsent(input.layer(), layer -> new ArrayList<>()).add(method);
        }
      }
    }
    return Collections.unmodifiableList(readers.getOrDefault(name, List.of()));
  }

  /** The names reaching an output; a name reaches it through every method of that name. */
  private Set<String> reachingOutputs() {
    Map<String, List<MethodDecl>> all = new HashMap<>();
    model.methods().forEach(m -> all.computeIfAbsent(m.name(), name -> new ArrayList<>()).add(m));
    Set<String> reached = new HashSet<>();
    Deque<String> pending = new ArrayDeque<>();
    model.methods().stream().filter(MethodDecl::isOutput).forEach(m -> pending.push(m.name()));
    while (!pending.isEmpty()) {
      String name = pending.pop();
      if (all.containsKey(name) && reached.add(name)) {
        for (MethodDecl method : all.get(name)) {
          method.inputs().forEach(input -> pending.push(input.layer()));
        }
      }
    }
    return reached;
  }

  /**
   * The layers whose every input is, recursively, a layer, in a topological order: Kahn's
   * algorithm from the model inputs. Layers on a cycle, or reading an unknown name or an
   * unreadable method, never become ready, nor do the layers after them.
   */
  private List<LayerDecl> computable() {
    Map<String, Integer> waiting = new HashMap<>();
    Map<String, List<LayerDecl>> readers = new HashMap<>();
    Deque<LayerDecl> ready = new ArrayDeque<>();
    for (MethodDecl method : byName.values()) {
      if (method instanceof LayerDecl layer) {
        waiting.put(layer.name(), layer.inputs().size());
        layer.inputs().forEach(input ->
            readers.computeIfAbsent(input.layer(), name -> new ArrayList<>()).add(layer));
        if (layer.inputs().isEmpty()) {
          ready.add(layer);
        }
      }
    }
    List<LayerDecl> done = new ArrayList<>();
    while (!ready.isEmpty()) {
      LayerDecl layer = ready.poll();
      done.add(layer);
      for (LayerDecl reader : readers.getOrDefault(layer.name(), List.of())) {
        if (waiting.merge(reader.name(), -1, Integer::sum) == 0) {
          ready.add(reader);
        }
      }
    }
    return done;
  }

  /**
   * Keras' layer order of the layers reaching the outputs, all computable: by depth (the longest
   * path to an output), deepest first; layers of equal depth in the order a depth-first walk
   * from the outputs meets them.
   */
  private List<LayerDecl> kerasOrder() {
    List<LayerDecl> outputs = new ArrayList<>();
    for (MethodDecl method : byName.values()) {
      if (method.isOutput()) {
        outputs.add((LayerDecl) method);
      }
    }
    Map<String, Integer> walkOrder = walk(outputs);
    List<String> names = new ArrayList<>(walkOrder.keySet());
    Map<String, Integer> depth = new HashMap<>();
    for (String name : topologicalConsumersFirst(names)) {
      depth.putIfAbsent(name, 0);
      int next = depth.get(name) + 1;
      for (InputRef input : layer(name).inputs()) {
        depth.merge(input.layer(), next, Math::max);
      }
    }
    List<LayerDecl> ordered = new ArrayList<>();
    names.forEach(name -> ordered.add(layer(name)));
    ordered.sort(
        (a, b) -> {
          int byDepth = Integer.compare(depth.get(b.name()), depth.get(a.name()));
          return byDepth != 0
              ? byDepth
              : Integer.compare(walkOrder.get(a.name()), walkOrder.get(b.name()));
        });
    return List.copyOf(ordered);
  }

  /**
   * The layers met by a depth-first walk from each output in turn along the inputs, in preorder,
   * numbered. Iterative: marking a layer when it is taken from the stack, with its inputs pushed
   * in reverse, meets the layers in the order a recursive walk would.
   */
  private Map<String, Integer> walk(List<LayerDecl> outputs) {
    Map<String, Integer> walkOrder = new LinkedHashMap<>();
    for (LayerDecl output : outputs) {
      Deque<LayerDecl> stack = new ArrayDeque<>();
      stack.push(output);
      while (!stack.isEmpty()) {
        LayerDecl layer = stack.pop();
        if (walkOrder.containsKey(layer.name())) {
          continue;
        }
        walkOrder.put(layer.name(), walkOrder.size());
        List<InputRef> inputs = layer.inputs();
        for (int i = inputs.size() - 1; i >= 0; i--) {
          stack.push(layer(inputs.get(i).layer()));
        }
      }
    }
    return walkOrder;
  }

  /** The names ordered so that every layer comes before the layers it reads. */
  private List<String> topologicalConsumersFirst(List<String> names) {
    Map<String, Integer> consumers = new HashMap<>();
    names.forEach(name -> consumers.put(name, 0));
    for (String name : names) {
      for (InputRef input : layer(name).inputs()) {
        consumers.merge(input.layer(), 1, Integer::sum);
      }
    }
    Deque<String> ready = new ArrayDeque<>();
    names.stream().filter(name -> consumers.get(name) == 0).forEach(ready::add);
    List<String> emitted = new ArrayList<>();
    while (!ready.isEmpty()) {
      String name = ready.poll();
      emitted.add(name);
      for (InputRef input : layer(name).inputs()) {
        if (consumers.merge(input.layer(), -1, Integer::sum) == 0) {
          ready.add(input.layer());
        }
      }
    }
    return emitted;
  }
}
