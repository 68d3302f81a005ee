package dev.kiln.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class NativeGarbageTest {

  @Test
  void collectsOncePerBudgetOfNewArrays() {
    AtomicLong collections = new AtomicLong();
    NativeGarbage garbage = new NativeGarbage(100, collections::get, collections::incrementAndGet);
    garbage.count(60);
    assertEquals(0, garbage.requests(), "60 of 100 bytes");
    garbage.count(60);
    assertEquals(1, garbage.requests(), "120 of 100 bytes");
    garbage.count(99);
    assertEquals(1, garbage.requests(), "the count starts again after a collection");
    garbage.count(1);
    assertEquals(2, garbage.requests());
  }

  @Test
  void aCollectionOnItsOwnStartsTheCountWithoutAnother() {
    AtomicLong collections = new AtomicLong();
    NativeGarbage garbage = new NativeGarbage(100, collections::get, collections::incrementAndGet);
    garbage.count(90);
    collections.incrementAndGet(); // the JVM collected by itself
    garbage.count(20);
    assertEquals(0, garbage.requests(), "a collection happened since the count began");
    garbage.count(90);
    assertEquals(0, garbage.requests(), "counted again from 0: 90 of 100");
  }

  /**
   * Results of predictions are copies that the caller drops: twice the budget of them, with next
   * to nothing on the Java heap, must see the garbage collector run, which frees their memory.
   */
  @Test
  void droppedCopiesGetCollected() {
    INDArray result = NdArrays.zeros(DataType.FLOAT, 256, 1024); // 1 MB
    long before = NativeGarbage.collections();
    long copies = 2 * NativeGarbage.BUDGET / (result.length() * 4);
    for (long i = 0; i < copies; i++) {
      NdArrays.copy(result);
    }
    assertTrue(NativeGarbage.collections() > before,
        copies + " dropped copies of 1 MB and no garbage collection");
  }
}
