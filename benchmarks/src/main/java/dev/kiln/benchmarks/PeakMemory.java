package dev.kiln.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import dev.kiln.runtime.NdArrays;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The process's memory: from {@code /proc/self/status} the peak resident set ({@code VmHWM}) and
 * the current one ({@code VmRSS}), Linux only (elsewhere -1); the bytes of the arrays Kiln's
 * runtime created ({@link NdArrays#createdBytes}); and the Java heap the JVM has committed.
 */
record PeakMemory(long peakResidentBytes, long residentBytes, long arrayBytes, long heapBytes) {

  static PeakMemory now() {
    return new PeakMemory(status("VmHWM:"), status("VmRSS:"), NdArrays.createdBytes(),
        Runtime.getRuntime().totalMemory());
  }

  /** Loads ND4J's native code, so that a reading after it counts the library once. */
  static void loadNd4j() {
    Nd4j.create(1).addi(1);
  }

  String describe() {
    return String.format(Locale.ROOT,
        "peak resident %.1f MB, resident %.1f MB, Kiln's arrays %.1f MB, Java heap %.1f MB",
        peakResidentBytes / 1e6, residentBytes / 1e6, arrayBytes / 1e6, heapBytes / 1e6);
  }

  private static long status(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field)) {
          String[] parts = line.substring(field.length()).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
