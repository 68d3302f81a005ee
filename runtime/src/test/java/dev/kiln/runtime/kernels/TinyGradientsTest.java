package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.RecurrentChecks.cast;
import static dev.kiln.runtime.testing.PlainArrays.assertAllClose;
import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.testing.RandomArrays;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * GRU and SimpleRNN write float32 gradients below {@link TinyGradients#FLOOR} as zero, as the
 * LSTM does ({@link LstmLanesTest}): a loss gradient of 1e-32 gives all-zero float32 gradients
 * where float64 keeps tiny ones, and one of 1e-24 gives float32 gradients that match float64's.
 */
class TinyGradientsTest {

  private static final int N = 3;
  private static final int STEPS = 4;
  private static final int IN = 5;
  private static final int UNITS = 6;

  @ParameterizedTest
  @ValueSource(strings = {"gru", "simpleRnn"})
  void float32GradientsBelowTheFloorAreZero(String layer) {
    INDArray[] tinyFloat64 = gradients(layer, DataType.DOUBLE, 1e-32);
    INDArray[] tinyFloat32 = gradients(layer, DataType.FLOAT, 1e-32);
    INDArray[] keptFloat64 = gradients(layer, DataType.DOUBLE, 1e-24);
    INDArray[] keptFloat32 = gradients(layer, DataType.FLOAT, 1e-24);
    String[] names = {"dKernel", "dRecurrentKernel", "dBias", "dx"};
    for (int i = 0; i < names.length; i++) {
      String what = layer + " " + names[i];
      double[] tiny = values(tinyFloat64[i]);
      assertTrue(Arrays.stream(tiny).anyMatch(value -> value != 0), what + ": float64 keeps them");
      assertAllClose(new double[tiny.length], tinyFloat32[i], 0, what + " in float32");
      double[] expected = values(keptFloat64[i]);
      double scale = Arrays.stream(expected).map(Math::abs).max().orElse(0);
      assertAllClose(expected, keptFloat32[i], 1e-5 * scale, what + " in float32 at 1e-24");
    }
  }

  /** {@code dKernel, dRecurrentKernel, dBias, dx} of a layer given a scaled loss gradient. */
  private static INDArray[] gradients(String layer, DataType dataType, double scale) {
    boolean gru = layer.equals("gru");
    int gates = gru ? 3 : 1;
    INDArray x = cast(RandomArrays.uniform(61, N, STEPS, IN), dataType);
    INDArray kernel = cast(RandomArrays.uniform(67, IN, gates * UNITS), dataType);
    INDArray recurrentKernel =
        cast(RandomArrays.uniform(71, UNITS, gates * UNITS).muli(0.3), dataType);
    INDArray bias = gru
        ? cast(RandomArrays.uniform(73, 2, 3 * UNITS), dataType)
        : cast(RandomArrays.uniform(73, UNITS), dataType);
    INDArray dOut = cast(RandomArrays.uniform(79, N, STEPS, UNITS).muli(scale), dataType);
    INDArray out = NdArrays.zeros(dataType, N, STEPS, UNITS);
    INDArray dKernel = kernel.ulike();
    INDArray dRecurrentKernel = recurrentKernel.ulike();
    INDArray dBias = bias.ulike();
    INDArray dx = x.ulike();
    if (gru) {
      Gru.forward(x, kernel, recurrentKernel, bias, true, false, out);
      Gru.backward(x, kernel, recurrentKernel, bias, true, false, dOut, dKernel, dRecurrentKernel,
          dBias, dx);
    } else {
      SimpleRnn.forward(x, kernel, recurrentKernel, bias, true, false, out);
      SimpleRnn.backward(x, kernel, recurrentKernel, bias, true, false, dOut, dKernel,
          dRecurrentKernel, dBias, dx);
    }
    return new INDArray[] {dKernel, dRecurrentKernel, dBias, dx};
  }
}
