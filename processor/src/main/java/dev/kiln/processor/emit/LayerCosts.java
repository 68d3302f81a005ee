package dev.kiln.processor.emit;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.Activation;
import dev.kiln.processor.layers.ActivationFlops;
import dev.kiln.processor.layers.Flops;
import dev.kiln.processor.layers.LayerKind;
import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * What each layer of a network costs per sample, as the summary reports it: the FLOPs of its
 * forward pass and of a training step (forward and backward; the loss and the optimizer's update
 * are not counted), the values a prediction keeps (its output, and its pre-activation where the
 * step keeps one) and the values training keeps besides (its output's gradient, the scratch
 * gradients of several readers, traces, masks and other buffers of its kind).
 *
 * <p>The training step counts the backward pass as the generated step runs it: a layer reading a
 * model input computes no gradient for that input.
 *
 * <p>With a variable sequence length every count is a polynomial in the steps of degree at most 2
 * (attention compares every step with every step): evaluated at 1, 2 and 3 steps, and checked at
 * 4.
 */
final class LayerCosts {

  /** A count per sample: {@code constant + perStep * steps + perStepSquared * steps^2}. */
  record Count(long constant, long perStep, long perStepSquared) {
    long at(long steps) {
      return constant + perStep * steps + perStepSquared * steps * steps;
    }

    boolean dependsOnSteps() {
      return perStep != 0 || perStepSquared != 0;
    }
  }

  /**
   * One layer's counts.
   *
   * @param forward FLOPs of its forward pass
   * @param training FLOPs of its forward and backward passes in a training step
   * @param activations values a prediction keeps: the output (and pre-activation)
   * @param trainingBuffers values training keeps besides, per sample
   * @param fixedBuffers values training keeps besides that do not grow with the batch
   */
  record Cost(Count forward, Count training, Count activations, Count trainingBuffers,
      long fixedBuffers) {}

  private final StepPlan plan;
  private final boolean variable;

  LayerCosts(StepPlan plan) {
    this.plan = plan;
    this.variable = hasVariableAxis(plan.network());
  }

  /** The counts of one layer. */
  Cost of(Node node) {
    if (!variable) {
      long[] counts = evaluate(node, 1);
      return new Cost(constant(counts[0]), constant(counts[1]), constant(counts[2]),
          constant(counts[3]), counts[4]);
    }
    long[][] at = new long[4][];
    for (int steps = 1; steps <= 4; steps++) {
      at[steps - 1] = evaluate(node, steps);
    }
    Count[] counts = new Count[4];
    for (int i = 0; i < 4; i++) {
      counts[i] = fit(node, at[0][i], at[1][i], at[2][i], at[3][i]);
    }
    if (at[1][4] != at[0][4]) {
      throw new IllegalStateException("the fixed buffers of " + node.name() + " depend on the steps");
    }
    return new Cost(counts[0], counts[1], counts[2], counts[3], at[0][4]);
  }

  /** The expression creating the runtime's {@code LayerCost} of {@code cost}. */
  static CodeBlock code(Cost cost) {
    List<Count> counts = List.of(cost.forward(), cost.training(), cost.activations(),
        cost.trainingBuffers());
    if (counts.stream().noneMatch(Count::dependsOnSteps)) {
      return CodeBlock.of("$T.of($LL, $LL, $LL, $LL, $LL)", Runtime.LAYER_COST,
          cost.forward().constant(), cost.training().constant(), cost.activations().constant(),
          cost.trainingBuffers().constant(), cost.fixedBuffers());
    }
    List<CodeBlock> parts = new ArrayList<>();
    for (Count count : counts) {
      parts.add(CodeBlock.of("$T.of($LL, $LL, $LL)", Runtime.STEP_COUNT, count.constant(),
          count.perStep(), count.perStepSquared()));
    }
    return CodeBlock.of("new $T($L, $LL)", Runtime.LAYER_COST, CodeBlock.join(parts, ", "),
        cost.fixedBuffers());
  }

  /** Forward FLOPs, training FLOPs, activations, training buffers, fixed buffers at {@code steps}. */
  private long[] evaluate(Node declared, int steps) {
    Node node = withSteps(declared, steps);
    LayerKind kind = node.decl().kind();
    Activation activation = plan.activation(declared);
    long out = node.shape().length();
    List<Boolean> needed = new ArrayList<>();
    for (String input : node.inputs()) {
      needed.add(plan.hasGradient(plan.network().node(input)));
    }
    Flops flops = kind.flops(node);
    long forward = flops.forward() + ActivationFlops.forward(activation, out);
    // A fused loss hands the gradient before the activation straight to the layer.
    long backward = kind.isInput()
        ? 0
        : flops.backward(needed)
            + (plan.lossIsFused(declared) ? 0 : ActivationFlops.backward(activation, out));
    long activations = out + (plan.hasPreActivation(declared) ? out : 0);
    long buffers = 0;
    long fixed = 0;
    if (plan.hasGradient(declared)) {
      buffers = out * (1 + plan.gradientParts(declared));
    }
    for (LayerKind.ExtraBuffer extra : kind.extraBuffers(node)) {
      if (extra.perSample()) {
        buffers += extra.shape().length();
      } else {
        fixed += extra.shape().length();
      }
    }
    return new long[] {forward, forward + flops.trainingForward() + backward, activations, buffers,
        fixed};
  }

  /** The polynomial of degree 2 through the values at 1, 2 and 3 steps, checked at 4. */
  private static Count fit(Node node, long at1, long at2, long at3, long at4) {
    long second = at1 - 2 * at2 + at3;
    long squared = second / 2;
    long perStep = at2 - at1 - 3 * squared;
    long constant = at1 - perStep - squared;
    Count count = new Count(constant, perStep, squared);
    if (second % 2 != 0 || count.at(4) != at4) {
      throw new IllegalStateException("the cost of " + node.name() + " is not a polynomial of"
          + " degree 2 in the steps: " + at1 + ", " + at2 + ", " + at3 + ", " + at4);
    }
    return count;
  }

  private static Count constant(long value) {
    return new Count(value, 0, 0);
  }

  private static Node withSteps(Node node, int steps) {
    return new Node(node.decl(), node.inputs(),
        node.inputShapes().stream().map(shape -> shape.withVariable(steps)).toList(),
        node.shape().withVariable(steps), node.params(), node.weightsOwner());
  }

  private static boolean hasVariableAxis(Network network) {
    for (Node node : network.nodes()) {
      if (node.shape().isVariable() || node.inputShapes().stream().anyMatch(Shape::isVariable)) {
        return true;
      }
    }
    return false;
  }
}
