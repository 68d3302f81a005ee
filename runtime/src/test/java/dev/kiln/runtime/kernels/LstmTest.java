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
import org.nd4j.linalg.api.ndarray.INDArray;

class LstmTest {

  static final Layer LSTM =
      new Layer(Lstm::forward, Lstm::backward, LstmTest::reference, 4, u -> new long[] {4 * u});

  /**
   * The LSTM whose backward pass reads the trace its forward pass kept. Its backward runs the
   * forward pass into a trace first, as a generated training step does before it.
   */
  static final Layer TRACED = new Layer(
      (x, kernel, recurrentKernel, bias, returnSequences, reverse, out) -> Lstm.forward(x, kernel,
          recurrentKernel, bias, returnSequences, reverse, out, trace(x, recurrentKernel)),
      (x, kernel, recurrentKernel, bias, returnSequences, reverse, dOut, dKernel, dRecurrentKernel,
          dBias, dx) -> {
        INDArray trace = trace(x, recurrentKernel);
        Lstm.forward(x, kernel, recurrentKernel, bias, returnSequences, reverse,
            Scratch.of(dOut.dataType(), 90, dOut.shape()), trace);
        Lstm.backward(x, kernel, recurrentKernel, bias, returnSequences, reverse, dOut, dKernel,
            dRecurrentKernel, dBias, dx, trace);
      },
      LstmTest::reference, 4, u -> new long[] {4 * u});

  /** A trace of the documented size, {@code (n, steps, 7u)}. */
  private static INDArray trace(INDArray x, INDArray recurrentKernel) {
    return Scratch.of(x.dataType(), 91, x.size(0), x.size(1), 7 * recurrentKernel.size(0));
  }

  static java.util.stream.Stream<Variant> variants() {
    return RecurrentChecks.variants();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void forwardMatchesKerasEquationsInFloat64(Variant variant) {
    RecurrentChecks.checkForward(LSTM, variant, DataType.DOUBLE, FLOAT64_TOLERANCE);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void forwardMatchesKerasEquationsInFloat32(Variant variant) {
    RecurrentChecks.checkForward(LSTM, variant, DataType.FLOAT, FLOAT32_TOLERANCE);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void gradientsMatchFiniteDifferences(Variant variant) {
    RecurrentChecks.checkGradients(LSTM, variant);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void tracedForwardMatchesKerasEquationsInFloat32(Variant variant) {
    RecurrentChecks.checkForward(TRACED, variant, DataType.FLOAT, FLOAT32_TOLERANCE);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void tracedGradientsMatchFiniteDifferences(Variant variant) {
    RecurrentChecks.checkGradients(TRACED, variant);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void tracedCallsCreateNoArrays(Variant variant) {
    RecurrentChecks.checkNoAllocation(TRACED, variant, DataType.FLOAT);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void nullDxLeavesParameterGradientsAlone(Variant variant) {
    RecurrentChecks.checkNullDx(LSTM, variant);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void viewsGiveTheSameValues(Variant variant) {
    RecurrentChecks.checkViews(LSTM, variant);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void repeatedCallsCreateNoArrays(Variant variant) {
    RecurrentChecks.checkNoAllocation(LSTM, variant, DataType.FLOAT);
  }

  /**
   * Keras' LSTM cell, gates i, f, c, o along the 4u axis: z = x W + h U + b; c = f c + i tanh(z_c);
   * h = o tanh(c); zero initial state.
   */
  static double[] reference(double[] x, int n, int steps, int u, double[] kernel,
      double[] recurrentKernel, double[] bias, boolean returnSequences, boolean reverse) {
    double[] out = new double[returnSequences ? n * steps * u : n * u];
    for (int s = 0; s < n; s++) {
      double[] h = new double[u];
      double[] c = new double[u];
      for (int step = 0; step < steps; step++) {
        int t = reverse ? steps - 1 - step : step;
        double[] z = new double[4 * u];
        for (int j = 0; j < 4 * u; j++) {
          double sum = bias == null ? 0 : bias[j];
          for (int i = 0; i < IN; i++) {
            sum += x[(s * steps + t) * IN + i] * kernel[i * 4 * u + j];
          }
          for (int k = 0; k < u; k++) {
            sum += h[k] * recurrentKernel[k * 4 * u + j];
          }
          z[j] = sum;
        }
        for (int k = 0; k < u; k++) {
          double input = sigmoid(z[k]);
          double forget = sigmoid(z[u + k]);
          double candidate = Math.tanh(z[2 * u + k]);
          double output = sigmoid(z[3 * u + k]);
          c[k] = forget * c[k] + input * candidate;
          h[k] = output * Math.tanh(c[k]);
        }
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
