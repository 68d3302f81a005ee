package dev.kiln;

/** Weight initialisers, with Keras' names and fan rules. */
public enum Initializer {
  /** Uniform in {@code +-sqrt(6 / (fanIn + fanOut))}. Keras' default for kernels. */
  GLOROT_UNIFORM,
  /** Truncated normal with standard deviation {@code sqrt(2 / (fanIn + fanOut))}. */
  GLOROT_NORMAL,
  /** Uniform in {@code +-sqrt(6 / fanIn)}. */
  HE_UNIFORM,
  /** Truncated normal with standard deviation {@code sqrt(2 / fanIn)}. */
  HE_NORMAL,
  /** Uniform in {@code +-sqrt(3 / fanIn)}. */
  LECUN_UNIFORM,
  /** Truncated normal with standard deviation {@code sqrt(1 / fanIn)}. */
  LECUN_NORMAL,
  /** A random orthogonal matrix (rows or columns orthonormal). Keras' default for recurrent kernels. */
  ORTHOGONAL,
  /** Uniform in +-0.05, Keras' {@code uniform}. Its default for embeddings. */
  RANDOM_UNIFORM,
  /** All zeros. Keras' default for biases. */
  ZEROS,
  /** All ones. */
  ONES
}
