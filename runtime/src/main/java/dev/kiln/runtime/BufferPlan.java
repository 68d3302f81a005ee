package dev.kiln.runtime;

/**
 * A generated model's batch buffers as the processor planned them, in values per sample (a batch
 * of {@code n} takes {@code n} times as many; multiply by the data type's width for bytes).
 *
 * @param keptValues what training keeps apart: every layer output and pre-activation the backward
 *     pass reads, per-sample work buffers (dropout masks) and gradients nothing writes
 * @param gradientArena the arena the loss gradients share in training
 * @param gradientFloor the most gradient values live at once in the backward pass: the least any
 *     arrangement of them could take
 * @param inferenceArena the arena the layer outputs share in a prediction
 * @param inferenceFloor the most output values live at once in a prediction
 */
public record BufferPlan(
    long keptValues, long gradientArena, long gradientFloor, long inferenceArena, long inferenceFloor) {

  /** The values a training step's buffers take for {@code batchSize} samples, as planned. */
  public long trainingValues(long batchSize) {
    return batchSize * (keptValues + gradientArena);
  }

  /** The least values a training step's buffers could take: the kept ones and the gradients' peak. */
  public long trainingFloorValues(long batchSize) {
    return batchSize * (keptValues + gradientFloor);
  }
}
