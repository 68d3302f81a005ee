package dev.kiln.runtime;

/**
 * What one layer costs per sample, counted by the processor from the layer's shapes: floating-point
 * operations (a multiply-add is 2 FLOPs, any other element-wise operation 1) and the values it
 * keeps. With a variable sequence length each count is a {@link Count} of the steps.
 *
 * @param forwardFlops FLOPs of the forward pass (a prediction)
 * @param trainingFlops FLOPs of the forward and backward passes of a training step, without the
 *     loss and the optimizer's update; no gradient is computed for a model input
 * @param activations values a prediction keeps: the layer's output, and its value before the
 *     activation where the step keeps one
 * @param trainingBuffers values a training step keeps besides, per sample: the output's gradient,
 *     readers' shares of it, traces, masks and other buffers of the layer's kind
 * @param fixedBuffers values a training step keeps besides that do not grow with the batch (batch
 *     statistics)
 */
public record LayerCost(
    Count forwardFlops, Count trainingFlops, Count activations, Count trainingBuffers,
    long fixedBuffers) {

  /** Nothing counted: a layer spec written before costs were. */
  public static final LayerCost UNKNOWN = of(0, 0, 0, 0, 0);

  /** The counts of a layer whose shapes are all known. */
  public static LayerCost of(long forwardFlops, long trainingFlops, long activations,
      long trainingBuffers, long fixedBuffers) {
    return new LayerCost(Count.of(forwardFlops, 0, 0), Count.of(trainingFlops, 0, 0),
        Count.of(activations, 0, 0), Count.of(trainingBuffers, 0, 0), fixedBuffers);
  }

  /** Whether a count depends on the length of a variable sequence. */
  public boolean dependsOnSteps() {
    return forwardFlops.dependsOnSteps() || trainingFlops.dependsOnSteps()
        || activations.dependsOnSteps() || trainingBuffers.dependsOnSteps();
  }

  /**
   * A count per sample for sequences of {@code steps} steps: {@code constant + perStep * steps +
   * perStepSquared * steps^2} (attention compares every step with every other).
   */
  public record Count(long constant, long perStep, long perStepSquared) {

    public static Count of(long constant, long perStep, long perStepSquared) {
      return new Count(constant, perStep, perStepSquared);
    }

    public long at(long steps) {
      return Math.addExact(constant, Math.addExact(Math.multiplyExact(perStep, steps),
          Math.multiplyExact(perStepSquared, Math.multiplyExact(steps, steps))));
    }

    public boolean dependsOnSteps() {
      return perStep != 0 || perStepSquared != 0;
    }
  }
}
