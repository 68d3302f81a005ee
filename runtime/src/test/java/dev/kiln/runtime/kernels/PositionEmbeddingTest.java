package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.LayerChecks.assertGradient;
import static dev.kiln.runtime.kernels.LayerChecks.assertNoSteadyStateAllocation;
import static dev.kiln.runtime.kernels.LayerChecks.assertValues;
import static dev.kiln.runtime.kernels.LayerChecks.nans;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.testing.PlainArrays;
import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class PositionEmbeddingTest {

  @Test
  void everySampleGetsTheFirstRowsOfTheTable() {
    INDArray x = RandomArrays.uniform(1, 3, 4, 2);
    INDArray table = RandomArrays.uniform(2, 6, 2);
    INDArray out = nans(3, 4, 2);
    PositionEmbedding.forward(x, table, out);
    double[] rows = PlainArrays.values(table);
    double[] expected = new double[24];
    for (int sample = 0; sample < 3; sample++) {
      System.arraycopy(rows, 0, expected, sample * 8, 8);
    }
    assertValues(expected, out, "positions 0 to 3 of a table of 6");
  }

  @Test
  void gradientsMatchFiniteDifferencesAndTheInputsIsZero() {
    INDArray x = RandomArrays.uniform(3, 2, 3, 4);
    INDArray table = RandomArrays.uniform(4, 5, 4);
    INDArray out = nans(2, 3, 4);
    INDArray r = RandomArrays.uniform(5, 2, 3, 4);
    INDArray dTable = nans(5, 4);
    INDArray dx = nans(2, 3, 4);
    Runnable forward = () -> PositionEmbedding.forward(x, table, out);
    forward.run();
    PositionEmbedding.backward(r, dTable, dx);
    assertGradient("table", forward, out, r, table, dTable);
    assertGradient("input", forward, out, r, x, dx);
    double[] unused = PlainArrays.values(dTable.get(
        org.nd4j.linalg.indexing.NDArrayIndex.interval(3, 5),
        org.nd4j.linalg.indexing.NDArrayIndex.all()));
    for (double value : unused) {
      assertTrue(value == 0, "rows past the input's steps get no gradient");
    }
  }

  @Test
  void aSequenceLongerThanTheTableIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PositionEmbedding.forward(RandomArrays.uniform(6, 1, 7, 2),
            RandomArrays.uniform(7, 6, 2), nans(1, 7, 2)));
    assertTrue(e.getMessage().contains("7 steps") && e.getMessage().contains("sequenceLength"),
        e.getMessage());
  }

  @Test
  void stepsAllocateNoArrays() {
    INDArray x = RandomArrays.uniform(8, 2, 3, 4);
    INDArray table = RandomArrays.uniform(9, 5, 4);
    INDArray out = nans(2, 3, 4);
    INDArray dTable = nans(5, 4);
    assertNoSteadyStateAllocation(() -> {
      PositionEmbedding.forward(x, table, out);
      PositionEmbedding.backward(out, dTable, null);
    });
  }
}
