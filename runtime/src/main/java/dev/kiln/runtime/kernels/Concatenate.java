package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.shape.Concat;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keras' Concatenate: the inputs side by side along one axis; they agree on every other axis.
 * The backward pass hands each input its slice of the output gradient.
 */
public final class Concatenate {

  private Concatenate() {}

  /**
   * @param axis the axis to join along, non-negative, counting the batch axis 0
   * @param out written, the inputs' shape with the sum of their sizes along {@code axis}
   * @param inputs two or more arrays of one rank and data type
   */
  public static void forward(int axis, INDArray out, INDArray... inputs) {
    long total = 0;
    for (INDArray input : inputs) {
      Require.shape(input, Require.withSize(out.shape(), axis, input.size(axis)), "Concatenate input");
      total += input.size(axis);
    }
    Require.shape(out, Require.withSize(out.shape(), axis, total), "Concatenate output");
    if (contiguousAlike(out, inputs)) {
      long offset = 0;
      for (INDArray input : inputs) {
        offset = copyBlocks(axis, input, out, offset, true);
      }
      return;
    }
    // libnd4j's concat: the inputs in order, the axis as its one integer argument.
    Concat concat = new Concat(axis, inputs);
    concat.addOutputArgument(out);
    Nd4j.exec(concat);
  }

  /**
   * Writes into each {@code dInputs[i]} its slice of {@code dOut}.
   *
   * <p>A null entry is an input nobody needs the gradient of. Its size along {@code axis} is then
   * unknown, so the slices of the inputs after it are counted from the end of {@code dOut}; an
   * input between two null entries cannot be placed and is an error.
   *
   * @param axis the axis the forward pass joined along
   * @param dOut the output gradient
   * @param dInputs written, one per input in the forward order, each shaped like its input, or
   *     null
   */
  public static void backward(int axis, INDArray dOut, INDArray... dInputs) {
    int first = 0;
    while (first < dInputs.length && dInputs[first] != null) {
      first++;
    }
    int last = dInputs.length - 1;
    while (last >= 0 && dInputs[last] != null) {
      last--;
    }
    for (int i = first + 1; i < last; i++) {
      if (dInputs[i] != null) {
        throw new IllegalArgumentException(
            "Concatenate input gradient " + i + " lies between inputs " + first + " and " + last
                + ", which have none, so where its slice of the output gradient starts is unknown");
      }
    }
    long total = dOut.size(axis);
    long known = 0;
    for (INDArray dInput : dInputs) {
      if (dInput != null) {
        Require.shape(dInput, Require.withSize(dOut.shape(), axis, dInput.size(axis)), "Concatenate input gradient");
        known += dInput.size(axis);
      }
    }
    if (known > total || (first == dInputs.length && known != total)) {
      throw new IllegalArgumentException(
          "Concatenate input gradients add up to " + known + " along axis " + axis
              + ", the output gradient has " + total);
    }
    // Inputs before the first null entry (all of them when there is none), placed from the start.
    long offset = 0;
    for (int i = 0; i < first; i++) {
      offset = copySlice(axis, dOut, dInputs[i], offset);
    }
    if (first == dInputs.length) {
      return;
    }
    // Inputs after the last null entry, placed from the end.
    long end = total;
    for (int i = dInputs.length - 1; i > last; i--) {
      end -= dInputs[i].size(axis);
      copySlice(axis, dOut, dInputs[i], end);
    }
  }

  /**
   * Like {@link #backward(int, INDArray, INDArray...)}, with the length of every part along
   * {@code axis} given, so that any of the gradients may be null.
   */
  public static void backwardWithSizes(int axis, INDArray dOut, long[] sizes, INDArray... dInputs) {
    if (sizes.length != dInputs.length) {
      throw new IllegalArgumentException(
          "Concatenate has " + dInputs.length + " parts but " + sizes.length + " sizes");
    }
    long offset = 0;
    for (int i = 0; i < dInputs.length; i++) {
      if (dInputs[i] != null) {
        copySlice(axis, dOut, dInputs[i], offset);
      }
      offset += sizes[i];
    }
    if (offset != dOut.size(axis)) {
      throw new IllegalArgumentException(
          "Concatenate parts add up to " + offset + " along axis " + axis
              + ", the output gradient has " + dOut.size(axis));
    }
  }

  /** Copies the slice of {@code dOut} at {@code offset} into {@code dInput}; returns its end. */
  private static long copySlice(int axis, INDArray dOut, INDArray dInput, long offset) {
    if (contiguousAlike(dOut, dInput)) {
      return copyBlocks(axis, dInput, dOut, offset, false);
    }
    long end = offset + dInput.size(axis);
    dInput.assign(Views.range(dOut, axis, offset, end));
    return end;
  }

  /** Whether every array is contiguous and row-major, of one data type: then bulk copies serve. */
  private static boolean contiguousAlike(INDArray whole, INDArray... parts) {
    if (!Elements.accepts(whole)) {
      return false;
    }
    for (INDArray part : parts) {
      if (part == null || part.dataType() != whole.dataType() || !Elements.accepts(part)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Copies between {@code part} and its slice of {@code whole} at {@code offset} along {@code
   * axis}, one bulk copy per index of the axes before it: into {@code whole} when {@code
   * intoWhole}, out of it otherwise. libnd4j's concat and a view's assign took twice as long on the
   * shared-input network's 64 x 6,208 join. Returns the slice's end.
   */
  private static long copyBlocks(int axis, INDArray part, INDArray whole, long offset,
      boolean intoWhole) {
    long inner = 1;
    for (int i = axis + 1; i < whole.rank(); i++) {
      inner *= whole.size(i);
    }
    long outer = whole.length() / (whole.size(axis) * inner);
    int block = Math.toIntExact(part.size(axis) * inner);
    long wholeRow = whole.size(axis) * inner;
    Elements parts = Elements.of(part);
    Elements wholes = Elements.of(whole);
    for (long o = 0; o < outer; o++) {
      long at = o * wholeRow + offset * inner;
      if (intoWhole) {
        parts.copyTo(o * block, wholes, at, block);
      } else {
        wholes.copyTo(at, parts, o * block, block);
      }
    }
    return offset + part.size(axis);
  }
}
