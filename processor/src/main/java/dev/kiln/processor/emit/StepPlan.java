package dev.kiln.processor.emit;

import dev.kiln.Activation;
import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.training.ActivityRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decisions the generated step is written from: which buffers each layer needs, which losses
 * fuse with their activation, and, for a layer read by several others, which gradient
 * contribution writes its gradient buffer and which ones add to it.
 */
final class StepPlan {

  /** One write of a layer's output gradient: by the loss, or by input {@code index} of a reader. */
  record GradientWrite(Node reader, int index) {
    static final GradientWrite LOSS = new GradientWrite(null, -1);

    // A network's nodes are distinct objects: compare them by identity, not field by field.
    @Override
    public boolean equals(Object other) {
      return other instanceof GradientWrite write && write.reader == reader && write.index == index;
    }

    @Override
    public int hashCode() {
      return 31 * System.identityHashCode(reader) + index;
    }
  }

  private final Network network;
  private final Map<String, List<GradientWrite>> writes = new HashMap<>();
  /** For each layer, the scratch buffer of each write of its gradient (see {@link #partIndex}). */
  private final Map<String, Map<GradientWrite, Integer>> partIndices = new HashMap<>();
  private final Map<String, Integer> gradientParts = new HashMap<>();
  private final SumNormalization sums;

  StepPlan(Network network) {
    this.network = network;
    for (Node node : network.nodes()) {
      List<GradientWrite> list = new ArrayList<>();
      if (node.decl().isOutput()) {
        list.add(GradientWrite.LOSS);
      }
      writes.put(node.name(), list);
    }
    List<Node> backwardOrder = new ArrayList<>(network.nodes());
    java.util.Collections.reverse(backwardOrder);
    for (Node reader : backwardOrder) {
      for (int i = 0; i < reader.inputs().size(); i++) {
        writes.get(reader.inputs().get(i)).add(new GradientWrite(reader, i));
      }
    }
    for (Node node : network.nodes()) {
      // A write after the first takes the next scratch buffer among its reader's writes.
      List<GradientWrite> list = writes.get(node.name());
      Map<GradientWrite, Integer> indices = new HashMap<>();
      Map<Node, Integer> laterWritesByReader = new java.util.IdentityHashMap<>();
      int parts = 0;
      for (int position = 0; position < list.size(); position++) {
        GradientWrite write = list.get(position);
        if (position > 0 && addsInPlace(write)) {
          continue;
        }
        int index = laterWritesByReader.getOrDefault(write.reader(), 0);
        indices.put(write, index);
        if (position > 0) {
          laterWritesByReader.put(write.reader(), index + 1);
          parts = Math.max(parts, index + 1);
        }
      }
      partIndices.put(node.name(), indices);
      gradientParts.put(node.name(), parts);
    }
    this.sums = new SumNormalization(network, writes);
  }

  /**
   * Whether {@code write}, when it is not its gradient's first, adds its share straight into the
   * gradient ({@link dev.kiln.processor.layers.LayerKind#addInputGradient}: Dense's last product
   * with GEMM's beta = 1) instead of writing a scratch buffer that is then added in.
   */
  private static boolean addsInPlace(GradientWrite write) {
    Node reader = write.reader();
    return reader != null && reader.inputs().size() == 1
        && reader.decl().kind().addsInputGradient(reader.decl());
  }

  /**
   * Whether {@code write} adds its share straight into {@code node}'s gradient: a write after the
   * first whose reader's kind can (see {@link #addsInPlace(GradientWrite)}).
   */
  boolean addsInPlace(Node node, GradientWrite write) {
    return !isFirstWrite(node, write) && addsInPlace(write);
  }

  /** The residual adds that the LayerNormalization after them computes in its passes. */
  SumNormalization sums() {
    return sums;
  }

  Activation activation(Node node) {
    return node.decl().kind().activation(node.decl());
  }

  /** Whether the output's loss computes the gradient before its activation directly. */
  boolean lossIsFused(Node node) {
    return node.decl().isOutput() && LossCode.isFused(node.decl().output(), activation(node));
  }

  /**
   * The layer that takes this layer's ReLU, forward and backward ({@code MaxPool2D.forwardRelu}
   * and {@code backwardThroughRelu}), saving a pass over a large output and one over its
   * gradient, or null: the one layer that reads this ReLU's output, when no loss, second reader
   * or activity regularizer reads the output or adds to the gradient. This layer's buffer then
   * holds its values before the ReLU; {@code activations} applies it to its copy.
   */
  Node reluTakenBackwardBy(Node node) {
    if (node.decl().kind().isInput() || activation(node) != Activation.RELU
        || ActivityRule.of(network, node).any()) {
      return null;
    }
    List<GradientWrite> list = writes.get(node.name());
    if (list.size() != 1 || list.get(0).reader() == null) {
      return null;
    }
    Node reader = list.get(0).reader();
    boolean takesIt = reader.inputs().size() == 1
        && reader.decl().kind().goesBackwardThroughRelu(reader.decl());
    return takesIt ? reader : null;
  }

  /** Whether {@code node}'s backward pass takes its input's ReLU backward too (see above). */
  boolean takesInputReluBackward(Node node) {
    return node.inputs().size() == 1
        && reluTakenBackwardBy(network.node(node.inputs().get(0))) == node;
  }

  /** Whether the layer keeps its pre-activation apart from its output. */
  boolean hasPreActivation(Node node) {
    return !node.decl().kind().isInput()
        && ActivationCode.needsPreActivation(activation(node))
        && !lossIsFused(node);
  }

  /** Whether a gradient is computed for this layer's output. */
  boolean hasGradient(Node node) {
    return !node.decl().kind().isInput();
  }

  /**
   * How many scratch buffers the writes that add to this layer's gradient need: one, or more when
   * one reader takes the layer as several of its inputs and writes their shares at once.
   */
  int gradientParts(Node node) {
    return hasGradient(node) ? gradientParts.get(node.name()) : 0;
  }

  /**
   * Which scratch buffer a write after the first goes to: its reader's earlier shares of the same
   * gradient each hold one, since the reader adds them in only after writing them all.
   */
  int partIndex(Node node, GradientWrite write) {
    Integer index = partIndices.get(node.name()).get(write);
    if (index == null) {
      throw new IllegalArgumentException(write + " does not write " + node.name());
    }
    return index;
  }

  /** Whether anything writes this layer's gradient: the loss, or a reader of the layer. */
  boolean isWritten(Node node) {
    return !writes.get(node.name()).isEmpty();
  }

  /** Whether {@code write} is the first write of {@code node}'s gradient (the others add to it). */
  boolean isFirstWrite(Node node, GradientWrite write) {
    return writes.get(node.name()).get(0).equals(write);
  }

  Network network() {
    return network;
  }
}
