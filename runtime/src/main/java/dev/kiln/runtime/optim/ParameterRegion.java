package dev.kiln.runtime.optim;

/**
 * One parameter array's place in the model's flat buffers, and what weight decay and per-array
 * clipping need to know of it. The model describes its buffers with these; an updater used
 * alone treats the whole buffer as one trainable weight.
 *
 * @param offset where the array starts in the flat buffer
 * @param length its number of values
 * @param role whether the optimizer trains it, and whether it is a bias or normalization weight
 */
public record ParameterRegion(long offset, long length, Role role) {

  /** What a parameter array is to the optimizer. */
  public enum Role {
    /** A kernel, embedding or recurrent weight: a matrix or larger. */
    WEIGHT,
    /**
     * A one-dimensional trainable array: a bias, or a normalization's scale or offset, which
     * weight decay commonly leaves out.
     */
    BIAS_OR_NORMALIZATION,
    /**
     * Not moved by the optimizer: frozen, or updated by its layer (moving statistics); weight
     * decay must leave it alone too.
     */
    UNTRAINED
  }

  public ParameterRegion {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException(
          "a region needs offset and length >= 0, got " + offset + " and " + length);
    }
  }

  /** The role of a trainable array of {@code rank} axes. */
  public static Role trainedRole(int rank) {
    return rank <= 1 ? Role.BIAS_OR_NORMALIZATION : Role.WEIGHT;
  }
}
