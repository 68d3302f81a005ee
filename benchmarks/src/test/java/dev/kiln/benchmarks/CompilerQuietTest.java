package dev.kiln.benchmarks;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CompilerQuietTest {

  @Test
  void countsTheCompilerThreadsWorkOnLinux() {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux only");
    long before = CompilerQuiet.compilerNanos();
    long sum = 0;
    for (int i = 0; i < 50_000; i++) {
      sum += freshWork(i);
    }
    CompilerQuiet.await();
    long after = CompilerQuiet.compilerNanos();
    assertTrue(sum != 0);
    assertTrue(after > before, "compiling a hot method ran a compiler thread: " + before + " -> " + after);
  }

  @Test
  void returnsOnceTheCompilersAreIdle() {
    CompilerQuiet.await();
    long start = System.nanoTime();
    CompilerQuiet.await();
    double millis = (System.nanoTime() - start) / 1e6;
    assertTrue(millis < CompilerQuiet.MOST_MILLIS / 2.0,
        "nothing was given to compile, yet the wait took " + millis + " ms");
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
