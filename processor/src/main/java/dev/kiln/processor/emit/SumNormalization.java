package dev.kiln.processor.emit;

import dev.kiln.Activation;
import dev.kiln.Add;
import dev.kiln.processor.shape.MaskFlow;
import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.training.ActivityRule;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The residual pattern {@code norm(add(a, b))}: an {@code @Add} of two inputs whose one reader is
 * a kind that takes the sum into its own passes (LayerNormalization). The step
 * then writes the sum inside the norm's forward pass, each row normalised while it is in the
 * cache, and the norm's backward pass writes both of the Add's input gradients at once, without
 * the Add's gradient and its copies in between: the transformer block's two add-and-norms.
 *
 * <p>The pair runs at the norm's place forward and at the Add's backward, where the Add's input
 * gradients are written in any case; the memory plan keeps the Add's inputs until the norm's
 * forward step ({@link #forwardRunsAt}) and the norm's gradient until the Add's backward step
 * ({@link #gradientReadAt}), so that no buffer shares their memory in between.
 */
final class SumNormalization {

  private final Map<String, Node> normOfSum = new HashMap<>();
  private final Map<String, Node> sumOfNorm = new HashMap<>();

  /**
   * @param writes each layer's gradient writes, the first first ({@link StepPlan}'s)
   */
  SumNormalization(Network network, Map<String, List<StepPlan.GradientWrite>> writes) {
    MaskFlow masks = MaskFlow.of(network);
    for (Node sum : network.nodes()) {
      List<StepPlan.GradientWrite> sumWrites = writes.get(sum.name());
      if (sum.decl().kind().isInput() || sumWrites.size() != 1
          || sumWrites.get(0).reader() == null) {
        continue;
      }
      Node norm = sumWrites.get(0).reader();
      boolean pattern = sum.decl().kind().annotation() == Add.class
          && sum.inputs().size() == 2
          && !sum.decl().isOutput()
          && linear(sum)
          && !ActivityRule.of(network, sum).any()
          && masks.owner(sum.name()) == null
          && network.consumers(sum.name()).size() == 1
          && norm.inputs().size() == 1
          && norm.decl().kind().takesSum(norm.decl())
          && ownsWeightsAlone(network, norm)
          && linear(norm)
          && !ActivityRule.of(network, norm).any()
          && masks.owner(norm.name()) == null;
      if (pattern) {
        normOfSum.put(sum.name(), norm);
        sumOfNorm.put(norm.name(), sum);
      }
    }
  }

  /**
   * Whether no other layer uses {@code node}'s parameters: with {@code @SameWeightsAs}, the
   * parameter gradients are summed over the layers at their own backward steps.
   */
  private static boolean ownsWeightsAlone(Network network, Node node) {
    return network.nodes().stream()
        .allMatch(other -> other == node || !other.weightsOwner().equals(node.weightsOwner()));
  }

  private static boolean linear(Node node) {
    return node.decl().kind().activation(node.decl()) == Activation.LINEAR;
  }

  /** The norm that computes this Add in its passes, or null. */
  Node normTaking(Node sum) {
    return normOfSum.get(sum.name());
  }

  /** The Add whose sum this norm computes in its passes, or null. */
  Node sumTakenBy(Node norm) {
    return sumOfNorm.get(norm.name());
  }

  /** The layer at whose forward step {@code node}'s forward pass runs: the norm for a taken Add. */
  Node forwardRunsAt(Node node) {
    Node norm = normTaking(node);
    return norm == null ? node : norm;
  }

  /** The layer at whose backward step {@code node}'s gradient is read: the Add for a norm taking one. */
  Node gradientReadAt(Node node) {
    Node sum = sumTakenBy(node);
    return sum == null ? node : sum;
  }
}
