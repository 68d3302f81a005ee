package dev.kiln.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.kernels.FreshJvm;
import dev.kiln.runtime.kernels.LanesGate;
import dev.kiln.runtime.kernels.VectorApi;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Adam's and RMSprop's float32 passes in Vector API lanes ({@link UpdateLanes}) give the scalar
 * float loops' bits: parameters, applied updates and state, over regions whose lengths are and
 * are not whole vectors, with value clipping, norm clipping and weight decay; and a warmed-up
 * step in lanes allocates no Java heap.
 */
class UpdateLanesTest {

  /** Region lengths: shorter than a vector, whole vectors of 8 and 16 lanes, and between. */
  private static final long[] REGION_LENGTHS = {1, 7, 8, 15, 16, 17, 33, 48, 1000, 4099, 20011};
  // 20011: past LanesGate.COLD_ELEMENTS, so that a cold pass leaves most of it to the loop.

  static Stream<Arguments> rules() {
    List<Arguments> cases = new ArrayList<>();
    List<Supplier<Updater>> rules = List.of(
        () -> new Adam(1e-2),
        () -> new AdamW(1e-2, 0.05, false),
        () -> new RmsProp(1e-2));
    List<String> names = List.of("adam", "adamw", "rmsprop");
    List<GradientClipping> clippings = List.of(GradientClipping.NONE,
        GradientClipping.clipValue(0.5), GradientClipping.clipNorm(2.0));
    for (int r = 0; r < rules.size(); r++) {
      for (GradientClipping clipping : clippings) {
        cases.add(Arguments.of(names.get(r) + " " + clipping.kind(), rules.get(r), clipping));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void lanesGiveTheScalarLoopsBits(String name, Supplier<Updater> rule, GradientClipping clipping) {
    assumeTrue(VectorApi.ENABLED, "the lanes run with the Vector API only");
    try {
      // Whole: every span in lanes; cold: a chunk in lanes and the rest in the rule's loop.
      for (boolean whole : new boolean[] {true, false}) {
        LanesGate.force(whole);
        compareWithScalarLoops(name + (whole ? " whole" : " cold"), rule, clipping);
      }
    } finally {
      LanesGate.force(null);
    }
  }

  private static void compareWithScalarLoops(
      String name, Supplier<Updater> rule, GradientClipping clipping) {
    List<ParameterRegion> regions = new ArrayList<>();
    long offset = 0;
    for (int i = 0; i < REGION_LENGTHS.length; i++) {
      ParameterRegion.Role role = i % 2 == 0
          ? ParameterRegion.Role.WEIGHT
          : ParameterRegion.Role.BIAS_OR_NORMALIZATION;
      regions.add(new ParameterRegion(offset, REGION_LENGTHS[i], role));
      offset += REGION_LENGTHS[i];
    }
    Run scalar = new Run(rule.get(), clipping, regions, offset, false);
    Run lanes = new Run(rule.get(), clipping, regions, offset, true);
    for (int step = 0; step < 3; step++) {
      float[] gradient = gaussian(100 + step, (int) offset);
      scalar.step(gradient);
      lanes.step(gradient);
      assertArrayEquals(scalar.parameters.toFloatVector(), lanes.parameters.toFloatVector(),
          name + ": parameters after step " + step);
      assertArrayEquals(scalar.gradients.toFloatVector(), lanes.gradients.toFloatVector(),
          name + ": applied updates of step " + step);
      for (int s = 0; s < scalar.updater.stateArrays().size(); s++) {
        assertArrayEquals(scalar.updater.stateArrays().get(s).toFloatVector(),
            lanes.updater.stateArrays().get(s).toFloatVector(),
            name + ": state " + s + " after step " + step);
      }
    }
  }

  @Test
  void warmedUpAdamStepInLanesAllocatesNoHeap() {
    assumeTrue(VectorApi.ENABLED, "the lanes run with the Vector API only");
    long fewest = FreshJvm.bytesPerCall(UpdateLanesTest.class, "fewestBytesPerAdamStep", null);
    assertTrue(fewest <= 1024, "a warmed-up Adam step over " + ADAM_LENGTH
        + " floats in lanes allocated " + fewest + " bytes of heap");
  }

  private static final int ADAM_LENGTH = 100_000;

  /**
   * A cold step's heap: LanesGate.COLD_ELEMENTS in lanes interpreted (Adam: about 290 bytes an
   * element, 4.8 MB, since its moments are flushed to zero where subnormal; 225 before), the
   * step's objects, and the first step's one-time set-up (about 1 MB, the thread measure's
   * included). The whole array interpreted took 193 MB.
   */
  private static final long COLD_STEP_LIMIT = LanesGate.COLD_ELEMENTS * 320L + (1 << 20);

  @Test
  void coldAdamStepsAllocateAChunksWorthOfHeap() {
    assumeTrue(VectorApi.ENABLED, "the lanes run with the Vector API only");
    long bytes = FreshJvm.bytesPerCall(UpdateLanesTest.class, "mostBytesOfColdAdamSteps", null);
    // Interpreted lanes over all 2^21 parameters: some 100 bytes a parameter.
    assertTrue(bytes <= COLD_STEP_LIMIT, "one of the first Adam steps over " + COLD_LENGTH
        + " floats allocated " + bytes + " bytes of heap, more than " + COLD_STEP_LIMIT);
  }

  private static final int COLD_LENGTH = 1 << 21;

  /** The most heap of any of a fresh JVM's first 3 Adam steps, in lanes where they are warm. */
  static long mostBytesOfColdAdamSteps() {
    Run run = new Run(new Adam(1e-3), GradientClipping.NONE,
        List.of(new ParameterRegion(0, COLD_LENGTH, ParameterRegion.Role.WEIGHT)), COLD_LENGTH,
        true);
    run.updater.twoThreads = false; // one thread, whose allocations the measure sees
    run.gradients.assign(Nd4j.createFromArray(gaussian(7, COLD_LENGTH)));
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    long most = 0;
    for (int i = 0; i < 3; i++) {
      long before = threads.getThreadAllocatedBytes(thread);
      run.updater.step(run.parameters, run.gradients);
      most = Math.max(most, threads.getThreadAllocatedBytes(thread) - before);
    }
    return most;
  }

  /** The measurement, which the test runs in a JVM of its own ({@link FreshJvm}). */
  static long fewestBytesPerAdamStep() {
    int length = ADAM_LENGTH;
    Run run = new Run(new Adam(1e-3), GradientClipping.NONE,
        List.of(new ParameterRegion(0, length, ParameterRegion.Role.WEIGHT)), length, true);
    run.updater.twoThreads = false; // the hand-over to the second thread allocates its task
    float[] gradient = gaussian(7, length);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    long start = System.nanoTime();
    long fewest = Long.MAX_VALUE;
    // Until C2 has compiled the pass: a vector it leaves on the heap costs 64 bytes a vector.
    while (fewest > 1024 && System.nanoTime() - start < 8_000_000_000L) {
      run.gradients.assign(Nd4j.createFromArray(gradient));
      long before = threads.getThreadAllocatedBytes(thread);
      for (int i = 0; i < 20; i++) {
        run.updater.step(run.parameters, run.gradients);
      }
      fewest = Math.min(fewest, (threads.getThreadAllocatedBytes(thread) - before) / 20);
    }
    return fewest;
  }

  /** One updater on its own parameter and gradient buffers. */
  private static final class Run {
    final Updater updater;
    final INDArray parameters;
    final INDArray gradients;

    Run(Updater updater, GradientClipping clipping, List<ParameterRegion> regions, long length,
        boolean lanes) {
      this.updater = updater;
      updater.lanes = lanes;
      updater.setClipping(clipping);
      updater.attach(length, DataType.FLOAT);
      updater.describeParameters(regions);
      parameters = NdArrays.zeros(DataType.FLOAT, length);
      parameters.assign(Nd4j.createFromArray(gaussian(1, (int) length)));
      gradients = NdArrays.zeros(DataType.FLOAT, length);
    }

    void step(float[] gradient) {
      gradients.assign(Nd4j.createFromArray(gradient));
      updater.step(parameters, gradients);
    }
  }

  private static float[] gaussian(long seed, int length) {
    Random random = new Random(seed);
    float[] values = new float[length];
    for (int i = 0; i < length; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return values;
  }
}
