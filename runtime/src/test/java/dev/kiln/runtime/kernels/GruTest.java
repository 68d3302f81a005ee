package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.RecurrentChecks.FLOAT32_TOLERANCE;
import static dev.kiln.runtime.kernels.RecurrentChecks.FLOAT64_TOLERANCE;
import static dev.kiln.runtime.kernels.RecurrentChecks.IN;
import static dev.kiln.runtime.kernels.RecurrentChecks.sigmoid;

import dev.kiln.runtime.kernels.RecurrentChecks.Layer;
import dev.kiln.runtime.kernels.RecurrentChecks.Variant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

class GruTest {

  static final Layer GRU =
      new Layer(Gru::forward, Gru::backward, GruTest::reference, 3, u -> new long[] {2, 3 * u});

  static java.util.stream.Stream<Variant> variants() {
    return RecurrentChecks.variants();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void forwardMatchesKerasEquationsInFloat64(Variant variant) {
    RecurrentChecks.checkForward(GRU, variant, DataType.DOUBLE, FLOAT64_TOLERANCE);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void forwardMatchesKerasEquationsInFloat32(Variant variant) {
    RecurrentChecks.checkForward(GRU, variant, DataType.FLOAT, FLOAT32_TOLERANCE);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void gradientsMatchFiniteDifferences(Variant variant) {
    RecurrentChecks.checkGradients(GRU, variant);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void nullDxLeavesParameterGradientsAlone(Variant variant) {
    RecurrentChecks.checkNullDx(GRU, variant);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void viewsGiveTheSameValues(Variant variant) {
    RecurrentChecks.checkViews(GRU, variant);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void repeatedCallsCreateNoArrays(Variant variant) {
    RecurrentChecks.checkNoAllocation(GRU, variant, DataType.FLOAT);
  }

  /**
   * Keras' GRU cell with reset_after, gates z, r, h along the 3u axis, input bias b (row 0) and
   * recurrent bias rb (row 1): z = sig(x Wz + bz + h Uz + rbz), r = sig(x Wr + br + h Ur + rbr),
   * hh = tanh(x Wh + bh + r (h Uh + rbh)), h' = z h + (1 - z) hh; zero initial state.
   */
  static double[] reference(double[] x, int n, int steps, int u, double[] kernel,
      double[] recurrentKernel, double[] bias, boolean returnSequences, boolean reverse) {
    double[] out = new double[returnSequences ? n * steps * u : n * u];
    for (int s = 0; s < n; s++) {
      double[] h = new double[u];
      for (int step = 0; step < steps; step++) {
        int t = reverse ? steps - 1 - step : step;
        double[] inputSide = new double[3 * u];
        double[] recurrentSide = new double[3 * u];
        for (int j = 0; j < 3 * u; j++) {
          double a = bias == null ? 0 : bias[j];
          for (int i = 0; i < IN; i++) {
            a += x[(s * steps + t) * IN + i] * kernel[i * 3 * u + j];
          }
          double b = bias == null ? 0 : bias[3 * u + j];
          for (int k = 0; k < u; k++) {
            b += h[k] * recurrentKernel[k * 3 * u + j];
          }
          inputSide[j] = a;
          recurrentSide[j] = b;
        }
        double[] next = new double[u];
        for (int k = 0; k < u; k++) {
          double z = sigmoid(inputSide[k] + recurrentSide[k]);
          double r = sigmoid(inputSide[u + k] + recurrentSide[u + k]);
          double candidate = Math.tanh(inputSide[2 * u + k] + r * recurrentSide[2 * u + k]);
          next[k] = z * h[k] + (1 - z) * candidate;
        }
        h = next;
        if (returnSequences) {
          System.arraycopy(h, 0, out, (s * steps + t) * u, u);
        }
      }
      if (!returnSequences) {
        System.arraycopy(h, 0, out, s * u, u);
      }
    }
    return out;
  }
}
