package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.testing.PlainArrays.assertAllClose;
import static dev.kiln.runtime.testing.PlainArrays.values;

import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * ReLU's backward pass over arrays too large for {@link JavaLoops}, a convolution's output: in
 * float32 lanes on two threads ({@link ReluLanes}) with the Vector API, on libnd4j without it and
 * in float64. Each zeroes the gradient where the output is not positive: at 0, -0 and NaN.
 */
@ExtendWith(WholeLanes.class)
class ReluLanesTest {

  /** Past JavaLoops.MAX_LENGTH, and not a whole number of vectors. */
  private static final long LENGTH = JavaLoops.MAX_LENGTH * 2 + 5;

  @Test
  void zeroesTheGradientWhereTheOutputIsNotPositive() {
    INDArray y = RandomArrays.uniform(31, LENGTH);
    y.putScalar(0, 0.0);
    y.putScalar(1, -0.0);
    y.putScalar(2, Double.NaN);
    y.putScalar(LENGTH - 1, Double.NaN);
    y.putScalar(LENGTH - 2, 1e-30);
    Relu.forward(y);
    INDArray dy = RandomArrays.uniform(32, LENGTH);
    double[] expected = values(dy);
    double[] outputs = values(y);
    for (int i = 0; i < expected.length; i++) {
      expected[i] = outputs[i] > 0 ? expected[i] : 0;
    }
    for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      INDArray gradient = dy.castTo(type);
      Relu.backward(y.castTo(type), gradient);
      assertAllClose(expected, gradient, 1e-7, type + " dy");
    }
    if (VectorApi.ENABLED) {
      INDArray gradient = dy.castTo(DataType.FLOAT);
      ReluLanes.backward(y.castTo(DataType.FLOAT), gradient);
      assertAllClose(expected, gradient, 1e-7, "lanes dy");
    }
  }
}
