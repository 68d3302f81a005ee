package dev.kiln.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Collects garbage between blocks of timed runs once this JVM's resident memory has grown by
 * {@link #GROWTH} since the last collection here. ND4J frees an array's native memory only after a
 * garbage collection, and the frameworks fill the Java heap slowly (Kiln's prediction allocates its
 * 2 MB result natively, SameDiff's training step hundreds of arrays), so dropped native arrays
 * piled up over a run: the JVM passed 4.6 GB during the encoder block, the last network, and its
 * Kiln prediction took 40-44 ms instead of the 11 it takes timed alone, SameDiff's training step
 * 1.5 s instead of 0.2 (new memory past that size cost slow page faults: a loop of predictions
 * alone slowed the same way from 4.6 GB on). With these collections the block took 11.0 ms and
 * 203 ms in a full run. The collection runs between blocks, outside every timed run.
 */
final class ResidentMemory {

  /** Growth of resident memory that calls for a collection. */
  static final long GROWTH = 512L << 20;

  private static final Path STATM = Path.of("/proc/self/statm");

  private static long afterLastCollection = resident();

  private ResidentMemory() {}

  /** Collects garbage if resident memory grew by {@link #GROWTH} since the last time it did. */
  static void collectIfGrown() {
    long now = resident();
    if (now < 0 || now - afterLastCollection < GROWTH) {
      return;
    }
    System.gc();
    try {
      Thread.sleep(100); // ND4J's deallocator threads free what the collection found
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    afterLastCollection = resident();
  }

  /** This JVM's resident bytes, or -1 where {@code /proc} does not say (not Linux). */
  static long resident() {
    try {
      String[] fields = Files.readString(STATM).trim().split("\\s+");
      return Long.parseLong(fields[1]) * 4096;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
