package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import org.nd4j.linalg.api.ndarray.INDArray;

/** What the elementwise merges share: element access and the selection of Maximum and Minimum. */
final class Merges {

  private Merges() {}

  /** The elements of {@code array}, of a contiguous copy when it is a strided view. */
  static Elements elements(INDArray array) {
    return Elements.of(Elements.accepts(array) ? array : array.dup('c'));
  }

  /** The elements of {@code array}, written, after checking it is shaped like {@code like}. */
  static Elements output(INDArray array, INDArray like, String what) {
    Require.sameShape(array, like, what);
    return Elements.of(array);
  }

  /** The inputs' elements, after checking each is shaped like {@code out}. */
  static Elements[] inputs(INDArray out, INDArray[] inputs, String what) {
    Elements[] values = new Elements[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      Require.sameShape(inputs[i], out, what);
      values[i] = elements(inputs[i]);
    }
    return values;
  }

  /** Writes the elementwise maximum (or minimum) of {@code inputs} into {@code out}. */
  static void selectForward(INDArray out, INDArray[] inputs, boolean maximum, String layer) {
    Elements[] values = inputs(out, inputs, layer + " input");
    Elements selected = Elements.of(out);
    for (long i = 0, n = selected.length(); i < n; i++) {
      selected.set(i, values[winner(values, i, maximum)].get(i));
    }
  }

  /** Routes {@code dOut} to the input each element was selected from. */
  static void selectBackward(INDArray dOut, INDArray[] inputs, INDArray[] dInputs,
      boolean maximum, String layer) {
    if (dInputs.length != inputs.length) {
      throw new IllegalArgumentException(layer + " has " + inputs.length + " inputs but "
          + dInputs.length + " input gradients");
    }
    Elements[] values = inputs(dOut, inputs, layer + " input");
    Elements gradient = elements(dOut);
    Elements[] shares = new Elements[dInputs.length];
    for (int j = 0; j < dInputs.length; j++) {
      shares[j] = dInputs[j] == null ? null : output(dInputs[j], dOut, layer + " input gradient");
    }
    for (long i = 0, n = gradient.length(); i < n; i++) {
      int winner = winner(values, i, maximum);
      for (int j = 0; j < shares.length; j++) {
        if (shares[j] != null) {
          shares[j].set(i, j == winner ? gradient.get(i) : 0);
        }
      }
    }
  }

  /** The first input holding the largest (or smallest) value at {@code i}. */
  private static int winner(Elements[] values, long i, boolean maximum) {
    int winner = 0;
    double best = values[0].get(i);
    for (int j = 1; j < values.length; j++) {
      double value = values[j].get(i);
      if (maximum ? value > best : value < best) {
        best = value;
        winner = j;
      }
    }
    return winner;
  }
}
