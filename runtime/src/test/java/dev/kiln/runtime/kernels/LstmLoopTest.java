package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.RecurrentChecks.FLOAT32_TOLERANCE;
import static dev.kiln.runtime.kernels.RecurrentChecks.FLOAT64_TOLERANCE;
import static dev.kiln.runtime.kernels.RecurrentChecks.IN;
import static dev.kiln.runtime.kernels.RecurrentChecks.UNITS;
import static dev.kiln.runtime.kernels.RecurrentChecks.sigmoid;

import dev.kiln.runtime.kernels.RecurrentChecks.Layer;
import dev.kiln.runtime.kernels.RecurrentChecks.Variant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

class LstmLoopTest {

  static final Layer LSTM =
      new Layer(LstmLoop::forward, LstmLoop::backward, LstmTest::reference, 4, new long[] {4 * UNITS});

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

}
