package dev.kiln.runtime.losses;

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
 * computing a loss value allocates nothing.
 */
final class Reductions {

  private static final ThreadLocal<Map<DataType, INDArray>> scalars =
      ThreadLocal.withInitial(() -> new EnumMap<>(DataType.class));

  private Reductions() {}

  static double sum(INDArray x) {
    INDArray result = scalarFor(x);
    Nd4j.exec(new Sum(x, result));
    return result.getDouble(0);
  }

  static double sumOfSquares(INDArray x) {
    INDArray result = scalarFor(x);
    Nd4j.exec(new SquaredNorm(x, result));
    return result.getDouble(0);
  }

  static double sumOfAbsolutes(INDArray x) {
    INDArray result = scalarFor(x);
    Nd4j.exec(new Norm1(x, result));
    return result.getDouble(0);
  }

  private static INDArray scalarFor(INDArray x) {
    return scalars.get().computeIfAbsent(x.dataType(), type -> NdArrays.zeros(type));
  }
}
