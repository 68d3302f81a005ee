package dev.kiln;

/** How {@link Bidirectional} joins its forward and backward outputs, with Keras' names. */
public enum MergeMode {
  /** Side by side on the last axis: twice the units. */
  CONCAT,
  /** Their sum. */
  SUM
}
