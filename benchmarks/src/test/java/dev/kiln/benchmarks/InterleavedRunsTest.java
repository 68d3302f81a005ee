package dev.kiln.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class InterleavedRunsTest {

  @Test
  void slowRunsKeepTheFewestAsked() {
    assertEquals(20, Interleaved.runs(20, 250e6), "a 250 ms step: 4 runs fill a second");
    assertEquals(20, Interleaved.runs(20, 0), "no timed warm-up (784-step models)");
  }

  @Test
  void shortRunsAreTimedUntilTheSlowestFillsASecond() {
    assertEquals(500, Interleaved.runs(20, 2e6), "a 2 ms prediction");
    assertEquals(Interleaved.MOST_RUNS, Interleaved.runs(20, 10e3), "a 10 us run: capped");
  }

  @Test
  void theWarmUpReportsItsSlowestContender() {
    Interleaved.Contender fast = block(0);
    Interleaved.Contender slow = block(2_000_000);
    double slowest = Interleaved.warmUp(List.of(fast, slow), 1, 50_000_000L);
    assertEquals(2e6, slowest, 1e6, "the slow contender waits 2 ms a run");
  }

  private static Interleaved.Contender block(long sleepNanos) {
    return (millis, from, runs) -> {
      for (int i = 0; i < runs; i++) {
        long end = System.nanoTime() + sleepNanos;
        while (System.nanoTime() < end) {
          Thread.onSpinWait();
        }
      }
      return Interleaved.NOT_COUNTED;
    };
  }
}
