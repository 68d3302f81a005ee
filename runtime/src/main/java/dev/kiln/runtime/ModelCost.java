package dev.kiln.runtime;

import java.util.List;

/**
 * What a prediction and a training step of a model cost at one batch size, summed from the
 * processor's per-layer counts ({@link LayerCost}): FLOPs (a multiply-add is 2) and bytes.
 *
 * <p>Memory is counted without any sharing between buffers: a prediction keeps the parameters and
 * every layer's activations (the inputs included); a training step keeps besides the flat gradient
 * buffer (one value per parameter), the optimizer's state and every layer's training buffers.
 * Kernels' own scratch (a convolution's columns, libnd4j's workspaces) is not counted.
 *
 * @param batchSize the samples of a batch
 * @param steps the steps of the sequences for a model with a variable sequence length, else 0
 * @param bytesPerValue 4 for float32, 8 for float64
 * @param predictionFlops the forward pass
 * @param trainingFlops the forward and backward passes of a training step, without the loss and
 *     the optimizer's update
 * @param parameterBytes every parameter
 * @param gradientBytes the flat gradient buffer
 * @param optimizerStateBytes the optimizer's state (Adam's two moments, ...)
 * @param activationBytes every layer's output (and pre-activation)
 * @param trainingBufferBytes every layer's gradients, traces, masks and other training buffers
 */
public record ModelCost(
    int batchSize,
    long steps,
    int bytesPerValue,
    long predictionFlops,
    long trainingFlops,
    long parameterBytes,
    long gradientBytes,
    long optimizerStateBytes,
    long activationBytes,
    long trainingBufferBytes) {

  /** Bytes a prediction keeps: parameters and activations. */
  public long predictionBytes() {
    return parameterBytes + activationBytes;
  }

  /** Bytes a training step keeps: parameters, gradients, optimizer state, activations, training buffers. */
  public long trainingBytes() {
    return parameterBytes + gradientBytes + optimizerStateBytes + activationBytes
        + trainingBufferBytes;
  }

  /**
   * The cost of {@code spec}'s model at {@code batchSize} samples of {@code steps} steps (ignored
   * without a variable sequence length), with values of {@code bytesPerValue} bytes and an
   * optimizer keeping {@code optimizerStateValues} values.
   */
  static ModelCost of(ModelSpec spec, int batchSize, long steps, int bytesPerValue,
      long optimizerStateValues) {
    LayerCost total = sum(spec.layers().stream().map(LayerSpec::cost).toList());
    long parameters = spec.parameterCount() * bytesPerValue;
    return new ModelCost(batchSize, total.dependsOnSteps() ? steps : 0, bytesPerValue,
        batchSize * total.forwardFlops().at(steps),
        batchSize * total.trainingFlops().at(steps),
        parameters,
        parameters,
        optimizerStateValues * bytesPerValue,
        batchSize * total.activations().at(steps) * bytesPerValue,
        (batchSize * total.trainingBuffers().at(steps) + total.fixedBuffers()) * bytesPerValue);
  }

  /** The counts of several layers together. */
  static LayerCost sum(List<LayerCost> costs) {
    long[] sums = new long[13];
    for (LayerCost cost : costs) {
      LayerCost.Count[] counts = {cost.forwardFlops(), cost.trainingFlops(), cost.activations(),
          cost.trainingBuffers()};
      for (int i = 0; i < 4; i++) {
        sums[3 * i] += counts[i].constant();
        sums[3 * i + 1] += counts[i].perStep();
        sums[3 * i + 2] += counts[i].perStepSquared();
      }
      sums[12] += cost.fixedBuffers();
    }
    return new LayerCost(LayerCost.Count.of(sums[0], sums[1], sums[2]),
        LayerCost.Count.of(sums[3], sums[4], sums[5]),
        LayerCost.Count.of(sums[6], sums[7], sums[8]),
        LayerCost.Count.of(sums[9], sums[10], sums[11]), sums[12]);
  }
}
