package dev.kiln;

/** Element types of an {@link Input}. */
public enum DType {
  /** 32-bit floating point; the model itself may compute in float32 or float64. */
  FLOAT32,
  /** 32-bit integers, for class indices and token ids. */
  INT32
}
