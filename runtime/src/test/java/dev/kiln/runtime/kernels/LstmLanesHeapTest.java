package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.testing.RandomArrays;
import java.lang.ref.Reference;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The float32 LSTM steps in Vector API lanes allocate no Java heap once C2 has compiled them: a
 * FloatVector that C2 cannot keep in a register, because it crosses a call left out of line, is
 * an object on the heap, and {@link LstmLanes} once allocated 12 MB a forward call of LSTM(128)
 * at 64x28 that way. The steps' loops run here as {@link Lstm} runs them, each step's recurrent
 * product (in {@link FloatProducts} at this size) then its cells, forward then backward, without
 * the calls' native ops around them, whose Java objects are not the lanes' to answer for.
 */
class LstmLanesHeapTest {

  private static final int N = 8;
  private static final int STEPS = 16;
  /** Whole vectors with 8 or 16 lanes: the last, partial vector of a row takes the masked code. */
  private static final int UNITS = 32;

  /** Heap bytes a forward and backward call of all steps may allocate, after warm-up. */
  private static final long LIMIT = 2048;

  /** Calls per measurement. */
  private static final int CALLS = 20;

  @Test
  void warmedUpStepsInLanesAllocateNoHeap() {
    assumeTrue(VectorApi.ENABLED, "float32 LSTM steps run in lanes with the Vector API only");
    assumeTrue(FloatProducts.suits(N, UNITS, 4 * UNITS));
    long fewest = FreshJvm.bytesPerCall(LstmLanesHeapTest.class, "fewestBytes", null);
    assertTrue(fewest <= LIMIT, "a warmed-up forward and backward call of " + STEPS
        + " float32 LSTM(" + UNITS + ") steps in lanes at batch " + N + " allocated at least "
        + fewest + " heap bytes, more than " + LIMIT
        + " (vectors boxed? see -XX:+UnlockDiagnosticVMOptions -XX:+PrintInlining)");
  }

  /** The measurement, which the test runs in a JVM of its own ({@link FreshJvm}). */
  static long fewestBytes() {
    DataType f = DataType.FLOAT;
    StepArrays step = new StepArrays(LstmLanesHeapTest.class, f, N, UNITS, 4);
    INDArray recurrentKernel = RandomArrays.uniform(71, UNITS, 4 * UNITS).muli(0.2).castTo(f);
    INDArray bias = RandomArrays.uniform(73, 4 * UNITS).castTo(f);
    INDArray sequence = RandomArrays.uniform(79, N, STEPS, UNITS).castTo(f);
    INDArray trace = NdArrays.zeros(f, Lstm.traceLength(N, STEPS, UNITS));
    LstmTrace run = LstmTrace.in(trace, N, STEPS, UNITS);
    INDArray projections = RandomArrays.uniform(83, N, STEPS, 4 * UNITS).castTo(f);
    run.gates().assign(projections);
    step.state().assign(0);
    step.cell().assign(0);
    step.dState().assign(0);
    step.dCell().assign(0);
    LstmSteps cells = LstmSteps.of(step, run, bias, sequence);
    assertInstanceOf(LstmLanes.class, cells);

    // Warm-up until C2 has compiled the steps, then the fewest bytes of several measurements.
    long fewest = HeapPerCall.fewestBytes(() -> {
      for (int t = 0; t < STEPS; t++) {
        step.recurrentProduct(recurrentKernel);
        cells.forward(t);
      }
      for (int t = STEPS - 1; t >= 0; t--) {
        cells.backward(t);
        step.stateGradientProduct(recurrentKernel);
      }
    }, CALLS, LIMIT);
    // The lanes view the arrays' memory without holding them.
    Reference.reachabilityFence(trace);
    Reference.reachabilityFence(sequence);
    Reference.reachabilityFence(bias);
    return fewest;
  }
}
