package dev.kiln.runtime;

import java.util.StringJoiner;

/** Shapes written as Keras prints them. */
public final class Shapes {

  private Shapes() {}

  /**
   * {@code (None, 28, 28, 1)} for a sample shape {@code {28, 28, 1}}: the batch axis first, and
   * {@code None} for variable axes ({@code -1}).
   */
  public static String withBatch(long[] sampleShape) {
    StringJoiner joiner = new StringJoiner(", ", "(", ")");
    joiner.add("None");
    for (long size : sampleShape) {
      joiner.add(size < 0 ? "None" : Long.toString(size));
    }
    return joiner.toString();
  }

  /** {@code (64, 784)}: every axis as it is. */
  public static String of(long[] shape) {
    StringJoiner joiner = new StringJoiner(", ", "(", ")");
    for (long size : shape) {
      joiner.add(Long.toString(size));
    }
    return joiner.toString();
  }

  /** The number of elements of a shape without variable axes. */
  public static long length(long[] shape) {
    long length = 1;
    for (long size : shape) {
      length *= size;
    }
    return length;
  }
}
