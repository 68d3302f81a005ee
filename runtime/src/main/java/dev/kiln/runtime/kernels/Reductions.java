package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import dev.kiln.runtime.NdArrays;
import java.util.EnumMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.floating.Norm1;
import org.nd4j.linalg.api.ops.impl.reduce.floating.SquaredNorm;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Full reductions to a Java number through a reused scalar per thread and data type, so that
 * computing a loss value or checking data allocates nothing.
 */
public final class Reductions {

  private static final ThreadLocal<Map<DataType, INDArray>> scalars =
      ThreadLocal.withInitial(() -> new EnumMap<>(DataType.class));

  private Reductions() {}

  /** The sum of all values; small arrays are summed in Java, in double precision. */
  public static double sum(INDArray x) {
    if (JavaLoops.suit(x)) {
      return JavaLoops.sum(x);
    }
    INDArray result = scalarFor(x);
    Nd4j.exec(new Sum(x, result));
    return result.getDouble(0);
  }

  /** Float32 arrays up to this many values are checked in lanes ({@link FiniteLanes}). */
  static final long FINITE_LANES_LENGTH = 1 << 20;

  /**
   * Whether every value is finite (no NaN, no infinity). Contiguous float32 arrays up to {@link
   * #FINITE_LANES_LENGTH} values are checked in Vector API lanes where the API is on; other small
   * arrays in Java, one independent test per value (a sum's chain of dependent additions took
   * three times as long); larger ones through their sum, which is finite when they all are,
   * unless it overflows.
   */
  public static boolean allFinite(INDArray x) {
    if (!x.dataType().isFPType()) {
      return true;
    }
    if (x.isEmpty()) {
      return true; // and an empty array has no buffer for the lanes to read
    }
    if (VectorApi.appliesTo(x.dataType()) && x.length() <= FINITE_LANES_LENGTH
        && Elements.accepts(x)) {
      return FiniteLanes.allFinite(x);
    }
    if (JavaLoops.suit(x)) {
      return JavaLoops.allFinite(x);
    }
    return Double.isFinite(sum(x));
  }

  public static double sumOfSquares(INDArray x) {
    INDArray result = scalarFor(x);
    Nd4j.exec(new SquaredNorm(x, result));
    return result.getDouble(0);
  }

  public static double sumOfAbsolutes(INDArray x) {
    INDArray result = scalarFor(x);
    Nd4j.exec(new Norm1(x, result));
    return result.getDouble(0);
  }

  /** The smallest value. */
  public static double min(INDArray x) {
    INDArray result = scalarFor(x);
    Nd4j.exec(new org.nd4j.linalg.api.ops.impl.reduce.same.Min(x, result));
    return result.getDouble(0);
  }

  /** The largest value. */
  public static double max(INDArray x) {
    INDArray result = scalarFor(x);
    Nd4j.exec(new org.nd4j.linalg.api.ops.impl.reduce.same.Max(x, result));
    return result.getDouble(0);
  }

  private static INDArray scalarFor(INDArray x) {
    return scalars.get().computeIfAbsent(x.dataType(), type -> NdArrays.zeros(type));
  }
}
