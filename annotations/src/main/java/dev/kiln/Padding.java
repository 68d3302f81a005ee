package dev.kiln;

/** How a convolution or pooling window treats the border, with Keras' names. */
public enum Padding {
  /** No padding: the window stays inside the input, so the output shrinks. */
  VALID,
  /** Zero padding so that the output has {@code ceil(input / stride)} rows and columns. */
  SAME,
  /**
   * {@link Conv1D} only: zeros before the first step only, {@code (kernelSize - 1) * dilationRate}
   * of them, so that output step {@code t} reads input steps up to {@code t} and none after it
   * (Keras' {@code padding='causal'}, as in WaveNet).
   */
  CAUSAL
}
