package dev.kiln.spark;

import static dev.kiln.spark.SynchronousTrainingTest.maxAbs;
import static dev.kiln.spark.SynchronousTrainingTest.maxDifference;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.Callback;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The all-reduce through the block manager takes the step one machine takes, and, with two
 * partitions, the very step the tree aggregation takes: the sum of two shares is one float
 * addition per value, whichever arrives first. Retried tasks and lost slices give the same
 * bits, and no slice outlives its step.
 */
class AllReduceTest {

  private static SparkFitOptions allReduce() {
    return SynchronousTrainingTest.options().gradientExchange(GradientExchange.ALL_REDUCE);
  }

  @Test
  void float64AllReduceEqualsOneMachineAndTheTreeBitForBitAndLeavesNoBlocks()
      throws InterruptedException {
    SeedModel tree = SeedModel.create(3, DataType.DOUBLE);
    KilnSpark.fit(tree, SynchronousTrainingTest.samples(), SynchronousTrainingTest.options());

    List<Integer> blocksAfterSteps = new ArrayList<>();
    Callback counter = new Callback() {
      @Override
      public void onBatchEnd(int epoch, int step, Map<String, Double> logs) {
        blocksAfterSteps.add(countSettlingTo(4, 2_000));
      }
    };
    SeedModel reduced = SeedModel.create(3, DataType.DOUBLE);
    KilnSpark.fit(reduced, SynchronousTrainingTest.samples(), allReduce().callbacks(counter));

    SeedModel single = SeedModel.create(3, DataType.DOUBLE);
    OneMachine.train(single, single::trainStep, SynchronousTrainingTest.SAMPLES,
        SynchronousTrainingTest.EPOCHS, SynchronousTrainingTest.BATCH,
        SynchronousTrainingTest.SEED);
    double[] expected = single.parameters().toDoubleVector();
    double relative = maxDifference(reduced.parameters().toDoubleVector(), expected)
        / maxAbs(expected);
    System.out.println("float64, all-reduce on 2 workers against 1 machine, 20 steps: " + relative);
    assertTrue(relative <= 1e-10, "float64 parameters differ by " + relative + " (relative)");
    assertArrayEquals(tree.parameters().toDoubleVector(), reduced.parameters().toDoubleVector(),
        0.0, "all-reduce and tree aggregation take the same steps");
    // Each count waits a moment for removals on their way: a step's own 2 x 2 slices at most.
    assertEquals(20, blocksAfterSteps.size());
    assertTrue(blocksAfterSteps.stream().allMatch(count -> count <= 4),
        "gradient slices pile up over the steps: " + blocksAfterSteps);
    assertNoSlicesRemainWithin(5_000);
  }

  /**
   * The slices the block managers hold, once at most {@code limit} or after {@code millis}. The
   * master forwards removals to the executors without waiting, and on a loaded machine the last
   * step's may still be on their way when a callback counts; slices that pile up never settle.
   */
  private static int countSettlingTo(int limit, long millis) {
    long deadline = System.currentTimeMillis() + millis;
    int count = SliceBlocks.count();
    while (count > limit && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return count;
      }
      count = SliceBlocks.count();
    }
    return count;
  }

  private static void assertNoSlicesRemainWithin(long millis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    while (SliceBlocks.count() > 0 && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(0, SliceBlocks.count(), "gradient slices left after the fit");
  }

  @Test
  void float32AllReduceEqualsOneMachineAndTheTreeBitForBit() {
    SeedModel tree = SeedModel.create(3, DataType.FLOAT);
    KilnSpark.fit(tree, SynchronousTrainingTest.samples(), SynchronousTrainingTest.options());
    SeedModel reduced = SeedModel.create(3, DataType.FLOAT);
    KilnSpark.fit(reduced, SynchronousTrainingTest.samples(), allReduce());

    SeedModel single = SeedModel.create(3, DataType.FLOAT);
    OneMachine.train(single, single::trainStep, SynchronousTrainingTest.SAMPLES,
        SynchronousTrainingTest.EPOCHS, SynchronousTrainingTest.BATCH,
        SynchronousTrainingTest.SEED);
    double[] expected = single.parameters().toDoubleVector();
    double relative = maxDifference(reduced.parameters().toDoubleVector(), expected)
        / maxAbs(expected);
    System.out.println("float32, all-reduce on 2 workers against 1 machine, 20 steps: " + relative);
    assertTrue(relative <= 1e-5, "float32 parameters differ by " + relative + " (relative)");
    assertArrayEquals(tree.parameters().toFloatVector(), reduced.parameters().toFloatVector(),
        0f);
  }

  @Test
  void retriedTasksAndLostSlicesGiveTheSameParameters() throws InterruptedException {
    SeedModel undisturbed = SeedModel.create(3, DataType.DOUBLE);
    KilnSpark.fit(undisturbed, SynchronousTrainingTest.samples(), allReduce());
    SeedModel disturbed = SeedModel.create(3, DataType.DOUBLE);
    KilnSpark.fit(disturbed, SynchronousTrainingTest.samples(),
        allReduce().failFirstAttemptOfStep(7).loseSliceBlocksOfStep(12));

    assertArrayEquals(undisturbed.parameters().toDoubleVector(),
        disturbed.parameters().toDoubleVector(), 0.0);
    assertNoSlicesRemainWithin(5_000);
  }
}
