package dev.kiln.processor.layers;

/**
 * What a layer does with a mask on its input (Keras' {@code supports_masking} and {@code
 * compute_mask}). A mask is {@code (steps)} per sample, 1 for a step that counts, and rides on a
 * sequence from the layer that makes it to the layers that use it.
 */
public enum MaskUse {
  /** Ignores it, and its output carries none: the processor warns that the mask is lost. */
  DROPS,
  /**
   * Its output carries the input's mask unchanged, without reading it (Dropout, Dense); a layer
   * with several inputs carries the AND of the masks they have (Keras' merges).
   */
  PASSES,
  /** Reads it (skips or ignores masked steps); its output carries none (global average pooling). */
  CONSUMES,
  /** Reads it, and its output carries its first input's (a recurrent layer returning sequences). */
  READS_AND_PASSES,
  /** Makes a new mask on its output ({@code Embedding(maskZero = true)}, {@code Masking}). */
  MAKES
}
