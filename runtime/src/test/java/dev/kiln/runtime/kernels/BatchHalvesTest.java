package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.RecurrentChecks.cast;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.SecondThread;
import dev.kiln.runtime.testing.RandomArrays;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A float32 LSTM call whose batch runs in two halves at once ({@link BatchHalves}) gives what the
 * same call gives in one loop: each row's products and cells are the same arithmetic on either
 * thread. Not always the same bits: the Vector API's exp differs by an ulp between code C2 has
 * compiled and code it has not yet, and the two calls may meet their methods in either state. 7
 * sequences split into 3 and 4 rows; 37 units are whole vectors and a part of one.
 */
class BatchHalvesTest {

  private static final int N = 7;
  private static final int STEPS = 60;
  private static final int IN = 5;
  private static final int UNITS = 37;

  private record Variant(boolean returnSequences, boolean reverse, boolean traced, boolean masked) {
    @Override
    public String toString() {
      return (returnSequences ? "sequences" : "last") + (reverse ? ", reverse" : "")
          + (traced ? ", traced" : "") + (masked ? ", masked" : "");
    }
  }

  static Stream<Variant> variants() {
    List<Variant> variants = new ArrayList<>();
    for (boolean returnSequences : new boolean[] {true, false}) {
      for (boolean reverse : new boolean[] {false, true}) {
        for (boolean traced : new boolean[] {true, false}) {
          for (boolean masked : new boolean[] {false, true}) {
            variants.add(new Variant(returnSequences, reverse, traced, masked));
          }
        }
      }
    }
    return variants.stream();
  }

  @AfterEach
  void allowHalvesAgain() {
    BatchHalves.allowed = true;
  }

  /** Relative to the largest magnitude of each array (at least 1): a few float32 ulps. */
  private static final double TOLERANCE = 1e-6;

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void halvesGiveWhatOneLoopGives(Variant variant) {
    assumeTrue(SecondThread.ENABLED && VectorApi.ENABLED,
        "halves need a second core and the Vector API");
    assertTrue(BatchHalves.split(DataType.FLOAT, N, STEPS, UNITS, 4), "this call splits");
    BatchHalves.allowed = false;
    float[][] oneLoop = run(variant);
    BatchHalves.allowed = true;
    float[][] halves = run(variant);
    String[] names = {"out", "dKernel", "dRecurrentKernel", "dBias", "dx"};
    for (int i = 0; i < names.length; i++) {
      float scale = 1;
      for (float value : oneLoop[i]) {
        scale = Math.max(scale, Math.abs(value));
      }
      assertArrayEquals(oneLoop[i], halves[i], (float) (TOLERANCE * scale),
          variant + " " + names[i]);
    }
  }

  /** The output and gradients {@code out, dKernel, dRecurrentKernel, dBias, dx}, as floats. */
  private static float[][] run(Variant variant) {
    DataType f = DataType.FLOAT;
    INDArray x = cast(RandomArrays.uniform(61, N, STEPS, IN), f);
    INDArray kernel = cast(RandomArrays.uniform(67, IN, 4 * UNITS), f);
    INDArray recurrentKernel = cast(RandomArrays.uniform(71, UNITS, 4 * UNITS).muli(0.2), f);
    INDArray bias = cast(RandomArrays.uniform(73, 4 * UNITS), f);
    INDArray mask = null;
    if (variant.masked()) {
      mask = NdArrays.zeros(f, N, STEPS).addi(1);
      for (int row = 0; row < N; row++) {
        for (int t = 0; t < STEPS; t++) {
          if ((row * 3 + t) % 7 == 0) {
            mask.putScalar(row, t, 0);
          }
        }
      }
    }
    long[] outShape =
        variant.returnSequences() ? new long[] {N, STEPS, UNITS} : new long[] {N, UNITS};
    INDArray dOut = cast(RandomArrays.uniform(79, outShape), f);
    INDArray out = NdArrays.zeros(f, outShape);
    INDArray dKernel = kernel.ulike();
    INDArray dRecurrentKernel = recurrentKernel.ulike();
    INDArray dBias = bias.ulike();
    INDArray dx = x.ulike();
    INDArray trace = variant.traced() ? NdArrays.zeros(f, Lstm.traceLength(N, STEPS, UNITS)) : null;
    Lstm.forward(x, mask, kernel, recurrentKernel, bias, variant.returnSequences(),
        variant.reverse(), out, trace);
    float[] forward = out.data().asFloat();
    Lstm.backward(x, mask, kernel, recurrentKernel, bias, variant.returnSequences(),
        variant.reverse(), dOut, dKernel, dRecurrentKernel, dBias, dx, trace);
    return new float[][] {forward, dKernel.data().asFloat(), dRecurrentKernel.data().asFloat(),
        dBias.data().asFloat(), dx.data().asFloat()};
  }
}
