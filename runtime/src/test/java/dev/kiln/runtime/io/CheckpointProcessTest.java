package dev.kiln.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.optim.Adam;
import dev.kiln.runtime.optim.Updater;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** Checkpoints saved by another JVM: in a small heap, and killed in the middle of a save. */
class CheckpointProcessTest {

  /** Float32 parameters and Adam's two moments: 48 MB of values. */
  private static final long FORTY_EIGHT_MEGABYTES = 4_000_000;

  @TempDir Path directory;

  @Test
  void checkpointOf48MegabytesSavesAndLoadsIn64MegabytesOfHeap() throws Exception {
    Path file = directory.resolve("model.kiln");
    roundTripIn64MegabytesOfHeap(file, FORTY_EIGHT_MEGABYTES, "FLOAT");
    assertTrue(Files.size(file) > 48_000_000, "size " + Files.size(file));
  }

  /**
   * Float64 parameters and Adam's moments past 2 GiB, in 64 MB of heap: about 4.4 GB of native
   * memory and 2.2 GB of disk, so only with {@code -Dkiln.checkpoint.big=true}.
   */
  @Test
  @EnabledIfSystemProperty(named = "kiln.checkpoint.big", matches = "true")
  void checkpointOver2GibibytesRoundTripsIn64MegabytesOfHeap() throws Exception {
    Path file = directory.resolve("big.kiln");
    roundTripIn64MegabytesOfHeap(file, 90_000_000, "DOUBLE");
    assertTrue(Files.size(file) > (2L << 30), "size " + Files.size(file));
    System.out.println("checkpoint of " + Files.size(file) + " bytes round-tripped");
  }

  private static void roundTripIn64MegabytesOfHeap(Path file, long n, String type)
      throws Exception {
    Process child = child("-Xmx64m", "roundTrip", file, n, type);
    List<String> lines = lines(child);
    assertTrue(child.waitFor(10, TimeUnit.MINUTES), "the child JVM did not end");
    assertEquals(0, child.exitValue(), String.join("\n", lines));
    assertTrue(lines.contains("equal"), String.join("\n", lines));
    lines.stream().filter(line -> line.startsWith("saved in")).forEach(System.out::println);
  }

  @Test
  void saveKilledMidwayLeavesACompleteCheckpointAndTheNextSaveNoTemporaryFile()
      throws Exception {
    Path file = directory.resolve("model.kiln");
    long n = 2_000_000;
    Process child = child("-Xmx256m", "saveForever", file, n, "FLOAT");
    try {
      BufferedReader out = new BufferedReader(
          new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line;
      do {
        line = out.readLine(); // ND4J may log first
      } while (line != null && !line.equals("saved"));
      assertEquals("saved", line, "the child never saved");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (temporaryFiles().isEmpty()) {
        assertTrue(System.nanoTime() < deadline, "no save in progress was seen");
        Thread.onSpinWait();
      }
    } finally {
      child.destroyForcibly(); // SIGKILL: no finally block or shutdown hook runs in the child
      child.waitFor(1, TimeUnit.MINUTES);
    }

    loadsWhole(file, n);
    Checkpoint.write(file, CheckpointFiles.spec(n), DataType.FLOAT,
        NdArrays.zeros(DataType.FLOAT, n), attached(n));
    assertEquals(List.of(), temporaryFiles(), "temporary files after the next save");
  }

  private List<Path> temporaryFiles() throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(path -> path.getFileName().toString().endsWith(".tmp")).toList();
    }
  }

  private static Updater attached(long n) {
    Updater updater = new Adam(0.01);
    updater.attach(n, DataType.FLOAT);
    return updater;
  }

  /** Loads a checkpoint of the child's: it fails unless the file is whole. */
  private static void loadsWhole(Path file, long n) throws IOException {
    Checkpoint.read(file, CheckpointFiles.spec(n), NdArrays.zeros(DataType.FLOAT, n), attached(n));
  }

  private static Process child(String heap, String mode, Path file, long n, String type)
      throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        heap,
        // JavaCPP caps native memory at the heap size unless told otherwise.
        "-Dorg.bytedeco.javacpp.maxbytes=8g",
        "-Dorg.bytedeco.javacpp.maxphysicalbytes=12g",
        "-cp", System.getProperty("java.class.path"),
        CheckpointChild.class.getName(), mode, file.toString(), Long.toString(n), type));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  private static List<String> lines(Process child) throws IOException {
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      return out.lines().toList();
    }
  }
}
