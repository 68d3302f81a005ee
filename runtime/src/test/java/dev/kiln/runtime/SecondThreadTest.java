package dev.kiln.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Both parts run once each, whoever runs them; failures reach the caller; nothing hangs. */
class SecondThreadTest {

  @Test
  void bothPartsRunOnceEachAcrossManyHandOvers() {
    int[] counts = new int[2];
    for (int i = 0; i < 20_000; i++) {
      SecondThread.run(() -> counts[0]++, () -> counts[1]++);
      if (i % 1_000 == 0) {
        sleepMillis(1); // the helper falls asleep between some hand-overs
      }
    }
    assertArrayEquals(new int[] {20_000, 20_000}, counts);
  }

  @Test
  void theHelpersWritesAreSeenByTheCallerAfterwards() {
    long[] values = new long[1_000];
    for (int round = 1; round <= 200; round++) {
      int r = round;
      SecondThread.run(() -> fill(values, 500, 1_000, r), () -> fill(values, 0, 500, r));
      for (long value : values) {
        assertEquals(r, value, "round " + round);
      }
    }
  }

  @Test
  void aFailureOfTheHelpersPartIsThrownHereAfterTheCallersPartRan() {
    AtomicBoolean callerRan = new AtomicBoolean();
    IllegalArgumentException failure = new IllegalArgumentException("helper part");
    IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
        () -> SecondThread.run(() -> {
          throw failure;
        }, () -> callerRan.set(true)));
    assertSame(failure, thrown);
    assertTrue(callerRan.get());
    // The helper is free again.
    AtomicInteger runs = new AtomicInteger();
    SecondThread.run(runs::incrementAndGet, runs::incrementAndGet);
    assertEquals(2, runs.get());
  }

  @Test
  void aFailureOfTheCallersPartWaitsForTheHelpersPart() {
    AtomicBoolean helperDone = new AtomicBoolean();
    assertThrows(IllegalStateException.class, () -> SecondThread.run(() -> {
      sleepMillis(20);
      helperDone.set(true);
    }, () -> {
      throw new IllegalStateException("caller part");
    }));
    assertTrue(helperDone.get(), "the helper's part ended before run returned");
  }

  @Test
  void aPartThatHandsOverItselfRunsBothOfItsOwnParts() {
    AtomicInteger runs = new AtomicInteger();
    Runnable nested = () -> SecondThread.run(runs::incrementAndGet, runs::incrementAndGet);
    SecondThread.run(nested, nested);
    assertEquals(4, runs.get());
  }

  @Test
  void twoCallersAtOnceBothFinish() throws InterruptedException {
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    Runnable caller = () -> {
      awaitLatch(start);
      for (int i = 0; i < 5_000; i++) {
        SecondThread.run(runs::incrementAndGet, runs::incrementAndGet);
      }
    };
    Thread first = new Thread(caller);
    Thread second = new Thread(caller);
    first.start();
    second.start();
    start.countDown();
    first.join(60_000);
    second.join(60_000);
    assertEquals(20_000, runs.get());
  }

  private static void fill(long[] values, int from, int to, long value) {
    for (int i = from; i < to; i++) {
      values[i] = value;
    }
  }

  private static void sleepMillis(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
