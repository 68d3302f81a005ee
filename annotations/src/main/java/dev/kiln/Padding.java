package dev.kiln;

/** How a convolution or pooling window treats the border, with Keras' names. */
public enum Padding {
  /** No padding: the window stays inside the input, so the output shrinks. */
  VALID,
  /** Zero padding so that the output has {@code ceil(input / stride)} rows and columns. */
  SAME
}
