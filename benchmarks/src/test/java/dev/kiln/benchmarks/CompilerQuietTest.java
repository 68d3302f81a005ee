package dev.kiln.benchmarks;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompilerQuietTest {

  @Test
  void findsTheJitCompilerThreadsOnLinux() {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux only");
    List<Path> compilers = CompilerQuiet.compilerThreads();
    assertFalse(compilers.isEmpty(), "HotSpot runs C1 and C2 compiler threads");
    for (Path task : compilers) {
      assertTrue(task.getParent().equals(Path.of("/proc/self/task")), task.toString());
    }
  }

  @Test
  void returnsOnceTheCompilersAreIdle() {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux only");
    long sum = 0;
    for (int i = 0; i < 50_000; i++) {
      sum += freshWork(i);
    }
    long start = System.nanoTime();
    CompilerQuiet.await();
    double millis = (System.nanoTime() - start) / 1e6;
    assertTrue(sum != 0);
    assertTrue(millis < CompilerQuiet.MOST_MILLIS / 2.0, "the compilers stayed busy " + millis + " ms");
  }

  @Test
  void readsARunningThreadFromItsStatLine() {
    assertTrue(CompilerQuiet.running("4211 (C2 CompilerThre) R 4180 4180 0 -1 4194368 0"));
    assertFalse(CompilerQuiet.running("4211 (C2 CompilerThre) S 4180 4180 0 -1 4194368 0"));
    assertTrue(CompilerQuiet.running("77 (a (b) c) R 1 2"), "the name may hold parentheses");
    assertFalse(CompilerQuiet.running("77 (a) R) S 1 2"), "the state follows the last ')'");
    assertFalse(CompilerQuiet.running("garbled"));
  }

  /** Hot enough for C1 and C2 after a few thousand calls; not called anywhere else. */
  private static long freshWork(int seed) {
    long x = seed;
    for (int i = 0; i < 64; i++) {
      x = x * 6364136223846793005L + 1442695040888963407L;
    }
    return x;
  }
}
