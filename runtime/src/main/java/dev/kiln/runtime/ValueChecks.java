package dev.kiln.runtime;

import dev.kiln.runtime.kernels.Reductions;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

/**
 * Checks of the values in arrays handed to a model: no NaN or infinity, class indices and token
 * ids within range. The common case costs one reduction and allocates nothing; finding the
 * offending sample for the message runs only when something is wrong.
 */
final class ValueChecks {

  private ValueChecks() {}

  /** Refuses an array holding NaN or an infinity, naming the first sample that does. */
  static void finite(String what, INDArray array) {
    if (Reductions.allFinite(array)) {
      return;
    }
    // The sum can also overflow on large finite values; only a NaN or infinity is refused.
    long nan = BooleanIndexing.firstIndex(array.reshape(array.length()), Conditions.isNan()).getLong(0);
    long infinite =
        BooleanIndexing.firstIndex(array.reshape(array.length()), Conditions.isInfinite()).getLong(0);
    long first = nan < 0 ? infinite : infinite < 0 ? nan : Math.min(nan, infinite);
    if (first < 0) {
      return;
    }
    double value = array.reshape(array.length()).getDouble(first);
    throw new IllegalArgumentException(
        what + " holds " + value + " in sample " + sample(array, first) + " of " + array.size(0)
            + "; a model cannot learn from NaN or infinite values, so clean or impute them first");
  }

  /**
   * Refuses indices outside {@code [0, bound)} or not whole: class indices of a sparse target,
   * token ids of an Embedding's input.
   */
  static void indices(String what, INDArray array, long bound, String meaning) {
    double min = Reductions.min(array);
    double max = Reductions.max(array);
    if (min < 0 || max >= bound) {
      double bad = min < 0 ? min : max;
      long at =
          BooleanIndexing.firstIndex(
                  array.reshape(array.length()),
                  min < 0 ? Conditions.lessThan(0) : Conditions.greaterThanOrEqual(bound))
              .getLong(0);
      throw new IllegalArgumentException(
          what + " holds " + format(bad) + " in sample " + sample(array, at) + " of "
              + array.size(0) + ", but " + meaning + " must be in [0, " + bound + ")");
    }
    if (array.dataType().isFPType()) {
      INDArray fractions = array.sub(org.nd4j.linalg.ops.transforms.Transforms.floor(array, true));
      if (Reductions.sumOfAbsolutes(fractions) != 0) {
        throw new IllegalArgumentException(
            what + " holds values that are not whole numbers, but " + meaning + " are integers");
      }
    }
  }

  private static long sample(INDArray array, long flatIndex) {
    return flatIndex / (array.length() / array.size(0));
  }

  private static String format(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }
}
