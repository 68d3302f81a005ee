package dev.kiln.processor.emit;

import dev.kiln.processor.layers.LayerKind;
import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a model's batch buffers live, decided at build time from their lifetimes, and the least
 * memory any arrangement could use. Sizes are values per sample: a batch of {@code n} takes
 * {@code n} times as many.
 *
 * <p>Training: the forward pass's buffers each keep their own memory, since the backward pass
 * reads them; the loss gradients of layer outputs, and the shares added into them, share one
 * arena where their lifetimes in the backward pass do not overlap. A gradient lives from its
 * first write (the loss, at step 0, or its first reader's backward step) to its own layer's
 * backward step; backward step {@code k} is the {@code k}-th layer in reverse order.
 *
 * <p>Inference ({@code predict}): layer outputs share a second arena, allocated only when a
 * prediction runs; an output lives from its layer's forward step to its last reader's, and the
 * model's outputs to the end of the pass.
 *
 * <p>A model with a variable-length input has no plan (its sizes per sample depend on the
 * length): every buffer keeps its own memory, as {@link #isPlanned} says.
 */
final class MemoryPlan {

  private final boolean planned;
  private final List<ArenaPlanner.Lifetime> gradientLifetimes = new ArrayList<>();
  private final List<ArenaPlanner.Lifetime> inferenceLifetimes = new ArrayList<>();
  private final ArenaPlanner.Plan training;
  private final ArenaPlanner.Plan inference;
  private final Map<String, Long> trainingOffsets = new HashMap<>();
  private final Map<String, Long> inferenceOffsets = new HashMap<>();
  private long keptValues;

  MemoryPlan(Network network, StepPlan plan, Naming names, SharedMemory shared) {
    this.planned = plannable(network);
    List<Node> nodes = network.nodes();
    int last = nodes.size();
    // Spans by the buffer that owns the memory, in the order first met: a layer passing its
    // input on unchanged (SharedMemory) lengthens its input's span instead of taking its own.
    Map<String, ArenaPlanner.Lifetime> outputs = new LinkedHashMap<>();
    Map<String, ArenaPlanner.Lifetime> gradients = new LinkedHashMap<>();
    for (int position = 0; position < nodes.size(); position++) {
      Node node = nodes.get(position);
      if (node.decl().kind().isInput() || !planned) {
        continue;
      }
      long size = node.shape().length();
      if (shared.outputSourceInTraining(node) == null) {
        keptValues += size;
      }
      keptValues += plan.hasPreActivation(node) ? size : 0;
      for (LayerKind.ExtraBuffer extra : node.decl().kind().extraBuffers(node)) {
        keptValues += extra.perSample() ? extra.shape().length() : 0;
      }
      int lastRead = node.decl().isOutput() ? last : position;
      for (Node reader : network.consumers(node.name())) {
        lastRead = Math.max(lastRead, nodes.indexOf(plan.sums().forwardRunsAt(reader)));
      }
      widen(outputs, names.output(shared.predictionOwner(node)), size, position, lastRead);
      if (plan.hasPreActivation(node)) {
        widen(outputs, names.preActivation(node), size, position, position);
      }
      addGradientLifetimes(network, plan, names, shared, node, gradients);
    }
    inferenceLifetimes.addAll(outputs.values());
    gradientLifetimes.addAll(gradients.values());
    this.training = ArenaPlanner.plan(gradientLifetimes);
    this.inference = ArenaPlanner.plan(inferenceLifetimes);
    training.placements().forEach(p -> trainingOffsets.put(p.lifetime().name(), p.offset()));
    inference.placements().forEach(p -> inferenceOffsets.put(p.lifetime().name(), p.offset()));
  }

  /** Whether a model's buffers can be planned: every size per sample is known at build time. */
  static boolean plannable(Network network) {
    return network.nodes().stream().allMatch(node -> node.shape().length() >= 0)
        && network.nodes().stream().allMatch(node -> node.decl().kind().extraBuffers(node).stream()
            .allMatch(extra -> extra.shape().length() >= 0));
  }

  /** Puts {@code name}'s span in {@code spans}, or widens the one there to cover both. */
  private static void widen(Map<String, ArenaPlanner.Lifetime> spans, String name, long size,
      int first, int last) {
    spans.merge(name, new ArenaPlanner.Lifetime(name, size, first, last),
        (a, b) -> new ArenaPlanner.Lifetime(name, Math.max(a.size(), b.size()),
            Math.min(a.first(), b.first()), Math.max(a.last(), b.last())));
  }

  /**
   * The lifetimes of a layer's gradient and of its shares. A gradient nothing writes is left out:
   * its layer's backward pass reads it as zeros, so it keeps memory of its own.
   */
  private void addGradientLifetimes(Network network, StepPlan plan, Naming names,
      SharedMemory shared, Node node, Map<String, ArenaPlanner.Lifetime> gradients) {
    if (!plan.hasGradient(node)) {
      return;
    }
    if (!plan.isWritten(node)) {
      keptValues += node.shape().length();
      return;
    }
    long size = node.shape().length();
    int own = backwardStep(network, plan.sums().gradientReadAt(node));
    int first = node.decl().isOutput() ? 0 : own;
    Map<Integer, int[]> partSpans = new HashMap<>();
    for (Node reader : network.consumers(node.name())) {
      int step = backwardStep(network, reader);
      for (int i = 0; i < reader.inputs().size(); i++) {
        if (!reader.inputs().get(i).equals(node.name())) {
          continue;
        }
        StepPlan.GradientWrite write = new StepPlan.GradientWrite(reader, i);
        first = Math.min(first, step);
        if (!plan.isFirstWrite(node, write) && !plan.addsInPlace(node, write)) {
          int part = plan.partIndex(node, write);
          partSpans.merge(part, new int[] {step, step},
              (a, b) -> new int[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
        }
      }
    }
    Node owner = shared.gradientOwner(node);
    // An owner's own step ends the span; a sharer only brings its first write forward.
    widen(gradients, names.gradient(owner), size, first,
        owner == node ? own : backwardStep(network, plan.sums().gradientReadAt(owner)));
    for (int part = 0; part < plan.gradientParts(node); part++) {
      int[] span = partSpans.getOrDefault(part, new int[] {own, own});
      widen(gradients, names.gradientPart(node, part), size, span[0], span[1]);
    }
  }

  /** Step 0 is the loss; the last layer's backward pass is step 1, the first layer's the last. */
  private static int backwardStep(Network network, Node node) {
    return network.nodes().size() - network.nodes().indexOf(node);
  }

  /** Whether the buffers share arenas; false for a model with a variable-length input. */
  boolean isPlanned() {
    return planned;
  }

  /** The offset of {@code field} in the training arena, in values per sample; null if not in it. */
  Long trainingOffset(String field) {
    return planned ? trainingOffsets.get(field) : null;
  }

  /** The offset of {@code field} in the inference arena, in values per sample; null if not in it. */
  Long inferenceOffset(String field) {
    return planned ? inferenceOffsets.get(field) : null;
  }

  /** The training arena's length in values per sample: the loss gradients as planned. */
  long trainingArena() {
    return training.length();
  }

  /** The inference arena's length in values per sample. */
  long inferenceArena() {
    return inference.length();
  }

  /** The most gradient values per sample live at once in the backward pass: no plan does better. */
  long gradientFloor() {
    return ArenaPlanner.peakLive(gradientLifetimes);
  }

  /** The most output values per sample live at once in a prediction. */
  long inferenceFloor() {
    return ArenaPlanner.peakLive(inferenceLifetimes);
  }

  /**
   * The values per sample training keeps outside the arena: every output and pre-activation (the
   * backward pass reads them), per-sample extra buffers, gradients nothing writes.
   */
  long keptValues() {
    return keptValues;
  }

  /** The training arena's placements, in backward order of first use, for the generated table. */
  List<ArenaPlanner.Placement> trainingPlacements() {
    return sortedByFirst(training);
  }

  /** The inference arena's placements, in forward order, for the generated table. */
  List<ArenaPlanner.Placement> inferencePlacements() {
    return sortedByFirst(inference);
  }

  private static List<ArenaPlanner.Placement> sortedByFirst(ArenaPlanner.Plan plan) {
    List<ArenaPlanner.Placement> sorted = new ArrayList<>(plan.placements());
    sorted.sort(java.util.Comparator.comparingInt((ArenaPlanner.Placement p) -> p.lifetime().first())
        .thenComparingLong(ArenaPlanner.Placement::offset));
    return sorted;
  }
}
