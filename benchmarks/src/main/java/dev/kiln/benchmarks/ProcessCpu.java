package dev.kiln.benchmarks;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU time this process has run, summed over its threads (Java's and the native OpenMP
 * threads of libnd4j and OpenBLAS) from {@code /proc/self/task/*}{@code /schedstat}: on a loaded
 * machine, where a step's wall time depends on what else runs, its CPU time still says how much
 * work it was. Linux only; elsewhere NaN.
 */
final class ProcessCpu {

  private static final Path TASKS = Path.of("/proc/self/task");

  private ProcessCpu() {}

  /** Whether the counters can be read here. */
  static boolean available() {
    return Files.isDirectory(TASKS);
  }

  /** Nanoseconds of CPU time run so far by the threads alive now; -1 when unavailable. */
  static long nanos() {
    if (!available()) {
      return -1;
    }
    long sum = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
      for (Path task : tasks) {
        try {
          String line = Files.readString(task.resolve("schedstat"));
          sum += Long.parseLong(line.substring(0, line.indexOf(' ')));
        } catch (IOException | RuntimeException e) {
          // the thread ended between the listing and the read
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return sum;
  }
}
