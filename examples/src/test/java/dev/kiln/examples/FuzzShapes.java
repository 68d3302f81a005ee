package dev.kiln.examples;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Keras' shape rules and the limits the differential fuzz's generator reasons with; -1 is a varying
 * size.
 */
final class FuzzShapes {

  private FuzzShapes() {}

  /** Upper bound of values per sample of any tensor, to keep finite differences fast. */
  static final int MAX_VALUES = 320;

  static final int MAX_SIDE = 12;

  static final int VARIABLE = -1;

  /** Whether a tensor of this shape is small enough, and varies only where Kiln allows. */
  static boolean fits(int[] shape) {
    if (shape == null || shape.length == 0) {
      return false;
    }
    for (int axis = 0; axis < shape.length; axis++) {
      if (shape[axis] == 0 || shape[axis] < VARIABLE || (shape[axis] == VARIABLE && axis > 0)) {
        return false;
      }
    }
    if (shape[0] == VARIABLE && shape.length > 2) {
      return false;
    }
    if (shape.length == 3 && (shape[0] > MAX_SIDE || shape[1] > MAX_SIDE)) {
      return false;
    }
    return Math.abs(product(shape)) <= MAX_VALUES;
  }

  /** Whether {@code shape} equals {@code target} on every axis but {@code free}. */
  static boolean matches(int[] shape, int[] target, int free) {
    if (shape.length != target.length) {
      return false;
    }
    for (int i = 0; i < shape.length; i++) {
      if (i != free && shape[i] != target[i]) {
        return false;
      }
    }
    return free < 0 || shape[free] != VARIABLE;
  }

  static int[] concatenated(List<int[]> inputs, int axis) {
    int[] joined = inputs.get(0).clone();
    joined[axis] = 0;
    for (int[] input : inputs) {
      joined[axis] += input[axis];
    }
    return joined;
  }

  /** Keras' output length of a window: {@code ceil(in / stride)} with SAME padding. */
  static int window(int in, int size, int stride, int dilation, boolean same) {
    int extent = (size - 1) * dilation + 1;
    return same ? (in + stride - 1) / stride : Math.floorDiv(in - extent, stride) + 1;
  }

  static boolean isFixed(int[] shape) {
    return Arrays.stream(shape).allMatch(size -> size > 0);
  }

  static long product(int[] shape) {
    long product = 1;
    for (int size : shape) {
      product *= size;
    }
    return product;
  }

  static long product(long[] shape) {
    long product = 1;
    for (long size : shape) {
      product *= size;
    }
    return product;
  }

  static int last(int[] shape) {
    return shape[shape.length - 1];
  }

  static int[] withLast(int[] shape, int last) {
    int[] copy = shape.clone();
    copy[copy.length - 1] = last;
    return copy;
  }

  static int[] append(int[] shape, int size) {
    int[] longer = Arrays.copyOf(shape, shape.length + 1);
    longer[shape.length] = size;
    return longer;
  }

  static int[] prepend(int size, int[] shape) {
    int[] longer = new int[shape.length + 1];
    longer[0] = size;
    System.arraycopy(shape, 0, longer, 1, shape.length);
    return longer;
  }

  /** {@code 3} or {@code {3, 4}}: sizes as an annotation attribute writes them. */
  static String ints(int[] values) {
    return values.length == 1
        ? Integer.toString(values[0])
        : Arrays.stream(values)
            .mapToObj(Integer::toString)
            .collect(Collectors.joining(", ", "{", "}"));
  }
}
