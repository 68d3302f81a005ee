package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.RecurrentChecks.cast;
import static dev.kiln.runtime.testing.PlainArrays.assertAllClose;
import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.testing.RandomArrays;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The float32 LSTM passes in Vector API lanes ({@link LstmLanes}) against the float64 loops
 * ({@link LstmCells}), whose gradients {@link LstmTest} checks against finite differences, and
 * likewise the step products in lanes ({@link FloatProducts}): 37 units are two or four full
 * vectors and a part of one, where {@link LstmTest}'s 3 units fit in part of one, and 6 sequences
 * one full block of 4 rows and a part of one.
 */
class LstmLanesTest {

  private static final int N = 6;
  private static final int STEPS = 4;
  private static final int IN = 5;
  private static final int UNITS = 37;

  /** Float32 against float64, relative to the largest expected magnitude (at least 1). */
  private static final double TOLERANCE = 2e-5;

  private record Variant(boolean returnSequences, boolean reverse, boolean bias, boolean traced) {
    @Override
    public String toString() {
      return (returnSequences ? "sequences" : "last") + (reverse ? ", reverse" : "")
          + (bias ? ", bias" : ", no bias") + (traced ? ", traced" : "");
    }
  }

  static Stream<Variant> variants() {
    List<Variant> variants = new ArrayList<>();
    for (boolean returnSequences : new boolean[] {true, false}) {
      for (boolean reverse : new boolean[] {false, true}) {
        for (boolean bias : new boolean[] {true, false}) {
          for (boolean traced : new boolean[] {true, false}) {
            variants.add(new Variant(returnSequences, reverse, bias, traced));
          }
        }
      }
    }
    return variants.stream();
  }

  @Test
  void theTestsRunTheLanesOnX86() {
    String arch = System.getProperty("os.arch");
    assumeTrue(arch.equals("amd64") || arch.equals("x86_64"), "the lanes run on x86-64 only");
    assertTrue(VectorApi.ENABLED, "the tests' JVMs start with --add-modules jdk.incubator.vector,"
        + " so float32 LSTM passes should run in lanes");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void float32LanesMatchFloat64Loops(Variant variant) {
    INDArray[] float64 = run(variant, DataType.DOUBLE);
    INDArray[] float32 = run(variant, DataType.FLOAT);
    String[] names = {"out", "dKernel", "dRecurrentKernel", "dBias", "dx"};
    for (int i = 0; i < names.length; i++) {
      if (float64[i] != null) {
        double[] expected = values(float64[i]);
        double scale = 1;
        for (double value : expected) {
          scale = Math.max(scale, Math.abs(value));
        }
        assertAllClose(expected, float32[i], TOLERANCE * scale, variant + " " + names[i]);
      }
    }
  }

  /**
   * A loss gradient of 1e-32 gives float32 gradients below {@link TinyGradients#FLOOR}, which are
   * zero (the float64 loops keep them); one of 1e-24 gives gradients above it, which match the
   * float64 loops' as at scale 1.
   */
  @Test
  void float32GradientsBelowTheFloorAreZero() {
    Variant variant = new Variant(true, false, true, true);
    INDArray[] float64 = run(variant, DataType.DOUBLE, 1e-32);
    INDArray[] float32 = run(variant, DataType.FLOAT, 1e-32);
    INDArray[] kept = run(variant, DataType.FLOAT, 1e-24);
    INDArray[] keptFloat64 = run(variant, DataType.DOUBLE, 1e-24);
    String[] names = {"dKernel", "dRecurrentKernel", "dBias", "dx"};
    for (int i = 0; i < names.length; i++) {
      double[] tiny = values(float64[i + 1]);
      assertTrue(java.util.Arrays.stream(tiny).anyMatch(value -> value != 0),
          "float64 " + names[i] + " keeps tiny gradients");
      assertAllClose(new double[tiny.length], float32[i + 1], 0, "float32 " + names[i]);
      double[] expected = values(keptFloat64[i + 1]);
      double scale = 0;
      for (double value : expected) {
        scale = Math.max(scale, Math.abs(value));
      }
      assertAllClose(expected, kept[i + 1], TOLERANCE * scale, "float32 " + names[i] + " at 1e-24");
    }
  }

  /** The output and gradients {@code out, dKernel, dRecurrentKernel, dBias, dx} in one type. */
  private static INDArray[] run(Variant variant, DataType dataType) {
    return run(variant, dataType, 1);
  }

  /** {@link #run(Variant, DataType)} with the loss gradient {@code dOut} scaled. */
  private static INDArray[] run(Variant variant, DataType dataType, double dOutScale) {
    INDArray x = cast(RandomArrays.uniform(61, N, STEPS, IN), dataType);
    INDArray kernel = cast(RandomArrays.uniform(67, IN, 4 * UNITS), dataType);
    // Small enough that the gates do not saturate, where float32 would hide errors.
    INDArray recurrentKernel = cast(RandomArrays.uniform(71, UNITS, 4 * UNITS).muli(0.2), dataType);
    INDArray bias = variant.bias() ? cast(RandomArrays.uniform(73, 4 * UNITS), dataType) : null;
    long[] outShape =
        variant.returnSequences() ? new long[] {N, STEPS, UNITS} : new long[] {N, UNITS};
    INDArray dOut = cast(RandomArrays.uniform(79, outShape).muli(dOutScale), dataType);
    INDArray out = NdArrays.zeros(dataType, outShape);
    INDArray dKernel = kernel.ulike();
    INDArray dRecurrentKernel = recurrentKernel.ulike();
    INDArray dBias = bias == null ? null : bias.ulike();
    INDArray dx = x.ulike();
    INDArray trace = variant.traced()
        ? NdArrays.zeros(dataType, Lstm.traceLength(N, STEPS, UNITS)) : null;
    Lstm.forward(x, kernel, recurrentKernel, bias, variant.returnSequences(), variant.reverse(),
        out, trace);
    Lstm.backward(x, kernel, recurrentKernel, bias, variant.returnSequences(), variant.reverse(),
        dOut, dKernel, dRecurrentKernel, dBias, dx, trace);
    return new INDArray[] {out, dKernel, dRecurrentKernel, dBias, dx};
  }
}
