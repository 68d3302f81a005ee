package dev.kiln.processor.shape;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * The shape of one sample of a tensor, without the batch axis, as Keras writes it: {@code (28,
 * 28, 1)}. {@link #VARIABLE} ({@code -1}) marks an axis whose length is known only at run time.
 */
public record Shape(List<Integer> dims) {

  public static final int VARIABLE = -1;

  public Shape {
    dims = List.copyOf(dims);
  }

  public static Shape of(int... dims) {
    List<Integer> list = new ArrayList<>();
    for (int dim : dims) {
      list.add(dim);
    }
    return new Shape(list);
  }

  public int rank() {
    return dims.size();
  }

  public int dim(int axis) {
    return dims.get(axis);
  }

  public int last() {
    return dims.get(dims.size() - 1);
  }

  /** This shape with the last axis replaced by {@code size}. */
  public Shape withLast(int size) {
    List<Integer> changed = new ArrayList<>(dims);
    changed.set(changed.size() - 1, size);
    return new Shape(changed);
  }

  /**
   * The number of elements, or -1 if an axis is variable; throws {@link ArithmeticException}
   * past a long's range rather than give a wrong count.
   */
  public long length() {
    long length = 1;
    for (int dim : dims) {
      if (dim == VARIABLE) {
        return -1;
      }
      length = Math.multiplyExact(length, dim);
    }
    return length;
  }

  /** Whether an axis is {@link #VARIABLE}. */
  public boolean isVariable() {
    return dims.contains(VARIABLE);
  }

  /** This shape with every {@link #VARIABLE} axis given {@code steps}. */
  public Shape withVariable(int steps) {
    return new Shape(dims.stream().map(dim -> dim == VARIABLE ? steps : dim).toList());
  }

  /** {@code (None, 28, 28, 1)}: with the batch axis, as the summary prints it. */
  public String withBatch() {
    StringJoiner joiner = new StringJoiner(", ", "(", ")");
    joiner.add("None");
    dims.forEach(dim -> joiner.add(dim == VARIABLE ? "None" : dim.toString()));
    return joiner.toString();
  }

  /** {@code (28, 28, 1)}. */
  @Override
  public String toString() {
    StringJoiner joiner = new StringJoiner(", ", "(", dims.size() == 1 ? ",)" : ")");
    dims.forEach(dim -> joiner.add(dim == VARIABLE ? "None" : dim.toString()));
    return joiner.toString();
  }
}
