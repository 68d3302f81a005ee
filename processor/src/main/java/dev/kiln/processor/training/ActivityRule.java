package dev.kiln.processor.training;

import dev.kiln.Regularizers;
import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.Node;

/**
 * The activity regularizer on a layer's output ({@code @Regularizers(activityL1, activityL2)}):
 * the layer's own, or, for a layer applied again by {@code @SameWeightsAs} without one of its
 * own, the applied layer's, since in Keras it belongs to the layer and acts on every call.
 *
 * @param l1 the L1 factor; 0 for none
 * @param l2 the L2 factor; 0 for none
 */
public record ActivityRule(double l1, double l2) {

  /** No activity regularizer. */
  public static final ActivityRule NONE = new ActivityRule(0, 0);

  /** The rule for {@code node}'s output. */
  public static ActivityRule of(Network network, Node node) {
    ActivityRule own = declared(node);
    if (own.any() || !node.sharesWeights()) {
      return own;
    }
    return declared(network.node(node.weightsOwner()));
  }

  /** What the layer's own method declares. */
  public static ActivityRule declared(Node node) {
    Regularizers regularizers = node.decl().method().getAnnotation(Regularizers.class);
    return regularizers == null
        ? NONE
        : new ActivityRule(regularizers.activityL1(), regularizers.activityL2());
  }

  /** Whether it adds anything to the loss. */
  public boolean any() {
    return l1 != 0 || l2 != 0;
  }

  /** Whether any layer of {@code network} regularizes its output. */
  public static boolean anyIn(Network network) {
    return network.nodes().stream().anyMatch(node -> of(network, node).any());
  }
}
