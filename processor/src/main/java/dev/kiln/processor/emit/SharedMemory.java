package dev.kiln.processor.emit;

import dev.kiln.Activation;
import dev.kiln.processor.layers.LayerKind.Identity;
import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.training.ActivityRule;

/**
 * Layers that pass their input's values on unchanged ({@link Identity}: a linear activation, a
 * flatten, a reshape, dropout in a prediction) and so need no memory or copy of their own: their
 * output buffer is their input's array, seen in their own shape, and their output gradient is the
 * array of their input's gradient.
 *
 * <p>Sharing an output is safe when the input is a layer whose buffer holds its final values from
 * its forward step on: not a model input (the caller's array, another each call), nor a layer
 * whose ReLU or sum another layer computes in its place. No kernel writes another layer's output,
 * and a backward step writes only its own layer's buffers after every reader of them went
 * backward, so the two names see the same values for as long as either is read.
 *
 * <p>Sharing a gradient is safe when the identity's copy would be the first write of its input's
 * gradient: the identity's gradient is complete at its backward step, and from there on only the
 * input's later contributions add to the same array. A gradient nothing writes, or one an activity
 * regularizer adds to, keeps its array and its copy.
 */
final class SharedMemory {

  private final Network network;
  private final StepPlan plan;
  private final boolean planned;

  /**
   * @param planned whether the model has a memory plan, whose predictions run on buffers of their
   *     own: only then may dropout's prediction buffer be its input's array
   */
  SharedMemory(Network network, StepPlan plan, boolean planned) {
    this.network = network;
    this.plan = plan;
    this.planned = planned;
  }

  /** The layer whose output array {@code node}'s output is in a training step's buffers, or null. */
  Node outputSourceInTraining(Node node) {
    return identity(node) == Identity.ALWAYS ? sharableInput(node) : null;
  }

  /** The layer whose output array {@code node}'s output is in a prediction's buffers, or null. */
  Node outputSourceInPrediction(Node node) {
    Identity identity = identity(node);
    return identity == Identity.ALWAYS || identity == Identity.IN_PREDICTION && planned
        ? sharableInput(node)
        : null;
  }

  /** Whether {@code node} computes nothing in any pass: its output is its input's array in both. */
  boolean passesOnAlways(Node node) {
    return outputSourceInTraining(node) != null;
  }

  /** Whether {@code node}'s output gradient is the array of its input's gradient. */
  boolean sharesGradientWithInput(Node node) {
    if (identity(node) != Identity.ALWAYS || !plan.isWritten(node)
        || ActivityRule.of(network, node).any()) {
      return false;
    }
    Node input = network.node(node.inputs().get(0));
    return plan.hasGradient(input)
        && plan.isFirstWrite(input, new StepPlan.GradientWrite(node, 0));
  }

  /** The layer that owns the memory of {@code node}'s output in a prediction: itself if unshared. */
  Node predictionOwner(Node node) {
    Node source = outputSourceInPrediction(node);
    return source == null ? node : predictionOwner(source);
  }

  /** The layer that owns the memory of {@code node}'s gradient: itself if unshared. */
  Node gradientOwner(Node node) {
    return sharesGradientWithInput(node)
        ? gradientOwner(network.node(node.inputs().get(0)))
        : node;
  }

  private Identity identity(Node node) {
    if (node.decl().kind().isInput() || node.inputs().size() != 1
        || plan.activation(node) != Activation.LINEAR) {
      return Identity.NEVER;
    }
    return node.decl().kind().identity(node.decl());
  }

  /** {@code node}'s input, if its buffer holds that layer's values from its forward step on. */
  private Node sharableInput(Node node) {
    Node input = network.node(node.inputs().get(0));
    boolean holdsItsValues = !input.decl().kind().isInput()
        && plan.reluTakenBackwardBy(input) == null
        && plan.sums().normTaking(input) == null;
    return holdsItsValues ? input : null;
  }
}
