package dev.kiln.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Results copied into memory that collected results give back: the copy holds the values, a view
 * keeps its memory from being handed out again, and collected memory is used again. The tests
 * use sizes no other test's results have, so that memory waiting from elsewhere does not count.
 */
class ResultMemoryTest {

  @Test
  void aCopyHoldsTheValuesInItsOwnMemory() {
    INDArray source = Nd4j.rand(DataType.FLOAT, 7, 3, 5);
    INDArray copy = ResultMemory.copyOf(source);
    assertArrayEquals(source.shape(), copy.shape());
    assertEquals(DataType.FLOAT, copy.dataType());
    assertArrayEquals(source.data().asFloat(), copy.data().asFloat());
    source.assign(0);
    assertTrue(copy.sumNumber().doubleValue() > 0, "the copy does not share the source's memory");
    INDArray doubles = Nd4j.rand(DataType.DOUBLE, 4, 9);
    assertEquals(doubles, ResultMemory.copyOf(doubles));
  }

  @Test
  void otherArraysAreLeftToTheCaller() {
    assertNull(ResultMemory.copyOf(Nd4j.rand(DataType.FLOAT, 6, 4).transpose()));
    assertNull(ResultMemory.copyOf(Nd4j.zeros(DataType.INT32, 3)));
  }

  @Test
  void collectedResultsGiveTheirMemoryToTheNextResults() {
    INDArray source = Nd4j.rand(DataType.FLOAT, 1013, 3);
    long bytes = 1013 * 3 * Float.BYTES;
    assertEquals(0, ResultMemory.waiting(bytes));
    for (int i = 0; i < 20; i++) {
      ResultMemory.copyOf(source); // dropped at once
    }
    assertTrue(eventually(() -> ResultMemory.waiting(bytes) == 20),
        "the dropped results' memory waits for the next ones");
    INDArray next = ResultMemory.copyOf(source);
    assertEquals(19, ResultMemory.waiting(bytes), "the next result took one");
    assertEquals(source, next);
  }

  @Test
  void aViewOfAResultKeepsItsMemory() {
    INDArray source = Nd4j.rand(DataType.DOUBLE, 1019, 2);
    INDArray view = ResultMemory.copyOf(source).get(NDArrayIndex.interval(1000, 1019),
        NDArrayIndex.all());
    INDArray expected = source.get(NDArrayIndex.interval(1000, 1019), NDArrayIndex.all()).dup();
    // Dropped results of this size give memory back; the view's must not be among it.
    for (int round = 0; round < 5; round++) {
      for (int i = 0; i < 10; i++) {
        ResultMemory.copyOf(Nd4j.zeros(DataType.DOUBLE, 1019, 2));
      }
      System.gc();
      for (int i = 0; i < 10; i++) {
        INDArray other = ResultMemory.copyOf(Nd4j.zeros(DataType.DOUBLE, 1019, 2));
        other.assign(-1);
      }
      assertEquals(expected, view, "round " + round);
    }
  }

  /** Collects garbage until {@code condition} holds, for at most 10 s. */
  private static boolean eventually(BooleanSupplier condition) {
    long end = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < end) {
      System.gc();
      if (condition.getAsBoolean()) {
        return true;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return condition.getAsBoolean();
  }
}
