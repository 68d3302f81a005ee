package dev.kiln.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.Elements;
import dev.kiln.runtime.ModelSpec;
import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.optim.Adam;
import dev.kiln.runtime.optim.Span;
import dev.kiln.runtime.optim.Updater;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where and how a checkpoint lands on disk: the usual file mode, any legal name, symbolic links
 * followed, errors naming the user's path, no temporary file left behind; and the conversion
 * between float32 and float64 checkpoints.
 */
class CheckpointFileTest {

  private static final long N = 10;
  private static final ModelSpec SPEC = CheckpointFiles.spec(N);

  @TempDir Path directory;

  @Test
  void newFileHasTheModeFilesNewOutputStreamGives() throws IOException {
    Path file = directory.resolve("model.kiln");
    save(file, DataType.FLOAT);
    Path plain = directory.resolve("plain");
    try (OutputStream out = Files.newOutputStream(plain)) {
      out.write(1);
    }
    assertEquals(permissions(plain), permissions(file));
  }

  @Test
  void replacedFileKeepsItsMode() throws IOException {
    Path file = directory.resolve("model.kiln");
    save(file, DataType.FLOAT);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
    save(file, DataType.FLOAT);
    assertEquals("rw-r-----", permissions(file));
  }

  @Test
  void nameOf255BytesSavesAndLoads() throws IOException {
    Path file = directory.resolve("m".repeat(250) + ".kiln");
    assertEquals(255, file.getFileName().toString().getBytes(StandardCharsets.UTF_8).length);
    INDArray saved = save(file, DataType.FLOAT);
    assertEquals(saved, load(file, DataType.FLOAT));
    assertEquals(List.of(file), files());
  }

  @Test
  void emptyPathIsRefusedSayingItNamesNoFile() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> save(Path.of(""), DataType.FLOAT));
    assertTrue(e.getMessage().contains("needs a file name"), e.getMessage());
  }

  @Test
  void directoryIsRefusedSayingSo() {
    IOException e = assertThrows(IOException.class, () -> save(directory, DataType.FLOAT));
    assertTrue(e.getMessage().contains(directory + " is a directory"), e.getMessage());
  }

  @Test
  void errorNamesTheUsersPathNotATemporaryFile() throws IOException {
    Path notADirectory = Files.writeString(directory.resolve("notes.txt"), "text");
    Path file = notADirectory.resolve("model.kiln");
    IOException e = assertThrows(IOException.class, () -> save(file, DataType.FLOAT));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertFalse(e.getMessage().contains(".tmp"), e.getMessage());
  }

  @Test
  void savingThroughASymbolicLinkWritesTheFileItLeadsTo() throws IOException {
    Path real = directory.resolve("real.kiln");
    save(real, DataType.FLOAT);
    Path link = Files.createSymbolicLink(directory.resolve("latest.kiln"), real.getFileName());
    INDArray saved = save(link, DataType.DOUBLE);
    assertTrue(Files.isSymbolicLink(link), "the link was replaced");
    assertEquals(saved, load(real, DataType.DOUBLE));
  }

  @Test
  void failedSaveLeavesNoTemporaryFileAndThePreviousCheckpoint() throws IOException {
    Path file = directory.resolve("model.kiln");
    INDArray first = save(file, DataType.FLOAT);
    // Fails after the parameters are written, when the updater's part begins.
    Updater failing = new Updater(0.01) {
      @Override
      protected void update(Elements parameters, Elements gradients, Span span) {}

      @Override
      protected int stateCount() {
        return 0;
      }

      @Override
      public String name() {
        throw new IllegalStateException("no name");
      }
    };
    failing.attach(N, DataType.FLOAT);
    assertThrows(IllegalStateException.class, () ->
        Checkpoint.write(file, SPEC, DataType.FLOAT, NdArrays.zeros(DataType.FLOAT, N), failing));
    assertEquals(List.of(file), files());
    assertEquals(first, load(file, DataType.FLOAT));
  }

  @Test
  void temporaryFilesOfEndedProcessesAreRemovedAndOthersKept() throws Exception {
    Process ended = new ProcessBuilder("true").start();
    ended.waitFor();
    Path stale = Files.writeString(directory.resolve(".kiln-save-" + ended.pid() + "-1f.tmp"), "");
    Path live = Files.writeString(
        directory.resolve(".kiln-save-" + ProcessHandle.current().pid() + "-2f.tmp"), "");
    Path foreign = Files.writeString(directory.resolve("model.kiln123.tmp"), "");
    save(directory.resolve("model.kiln"), DataType.FLOAT);
    assertFalse(Files.exists(stale), "a dead process's temporary file was kept");
    assertTrue(Files.exists(live), "a running process's temporary file was deleted");
    assertTrue(Files.exists(foreign), "a file that is not Kiln's was deleted");
  }

  @Test
  void float32CheckpointLoadsIntoFloat64ModelExactly() throws IOException {
    Path file = directory.resolve("model.kiln");
    INDArray saved = save(file, DataType.FLOAT);
    assertEquals(saved.castTo(DataType.DOUBLE), load(file, DataType.DOUBLE));
  }

  @Test
  void float64CheckpointLoadsIntoFloat32ModelRoundedToNearest() throws IOException {
    Path file = directory.resolve("model.kiln");
    INDArray saved = save(file, DataType.DOUBLE);
    INDArray loaded = load(file, DataType.FLOAT);
    for (int i = 0; i < N; i++) {
      assertEquals((float) saved.getDouble(i), loaded.getFloat(i), 0.0f, "value " + i);
    }
  }

  /** Saves values that float32 cannot hold exactly; returns them. */
  private static INDArray save(Path file, DataType dataType) throws IOException {
    INDArray parameters = Nd4j.linspace(DataType.DOUBLE, 0.1, 1.0 / 3, N).castTo(dataType);
    Updater updater = new Adam(0.01);
    updater.attach(N, dataType);
    Checkpoint.write(file, SPEC, dataType, parameters, updater);
    return parameters;
  }

  private static INDArray load(Path file, DataType dataType) throws IOException {
    INDArray parameters = NdArrays.zeros(dataType, N);
    Updater updater = new Adam(0.01);
    updater.attach(N, dataType);
    Checkpoint.read(file, SPEC, parameters, updater);
    return parameters;
  }

  private List<Path> files() throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.toList();
    }
  }

  private static String permissions(Path file) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }
}
