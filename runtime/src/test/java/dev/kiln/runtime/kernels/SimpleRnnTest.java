package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.RecurrentChecks.FLOAT32_TOLERANCE;
import static dev.kiln.runtime.kernels.RecurrentChecks.FLOAT64_TOLERANCE;
import static dev.kiln.runtime.kernels.RecurrentChecks.IN;

import dev.kiln.runtime.kernels.RecurrentChecks.Layer;
import dev.kiln.runtime.kernels.RecurrentChecks.Variant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

class SimpleRnnTest {

  static final Layer RNN =
      new Layer(SimpleRnn::forward, SimpleRnn::backward, SimpleRnnTest::reference, 1, u -> new long[] {u});

  static java.util.stream.Stream<Variant> variants() {
    return RecurrentChecks.variants();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void forwardMatchesKerasEquationsInFloat64(Variant variant) {
    RecurrentChecks.checkForward(RNN, variant, DataType.DOUBLE, FLOAT64_TOLERANCE);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void forwardMatchesKerasEquationsInFloat32(Variant variant) {
    RecurrentChecks.checkForward(RNN, variant, DataType.FLOAT, FLOAT32_TOLERANCE);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void gradientsMatchFiniteDifferences(Variant variant) {
    RecurrentChecks.checkGradients(RNN, variant);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void nullDxLeavesParameterGradientsAlone(Variant variant) {
    RecurrentChecks.checkNullDx(RNN, variant);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void viewsGiveTheSameValues(Variant variant) {
    RecurrentChecks.checkViews(RNN, variant);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void repeatedCallsCreateNoArrays(Variant variant) {
    RecurrentChecks.checkNoAllocation(RNN, variant, DataType.FLOAT);
  }

  /** Keras' SimpleRNN cell: h' = tanh(x W + h U + b); zero initial state. */
  static double[] reference(double[] x, int n, int steps, int u, double[] kernel,
      double[] recurrentKernel, double[] bias, boolean returnSequences, boolean reverse) {
    double[] out = new double[returnSequences ? n * steps * u : n * u];
    for (int s = 0; s < n; s++) {
      double[] h = new double[u];
      for (int step = 0; step < steps; step++) {
        int t = reverse ? steps - 1 - step : step;
        double[] next = new double[u];
        for (int j = 0; j < u; j++) {
          double sum = bias == null ? 0 : bias[j];
          for (int i = 0; i < IN; i++) {
            sum += x[(s * steps + t) * IN + i] * kernel[i * u + j];
          }
          for (int k = 0; k < u; k++) {
            sum += h[k] * recurrentKernel[k * u + j];
          }
          next[j] = Math.tanh(sum);
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
