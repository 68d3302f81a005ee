package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.io.CheckpointException;
import dev.kiln.runtime.optim.Adam;
import dev.kiln.runtime.testing.RandomArrays;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Checkpoints of generated models that must not load: each failure names its cause, and the
 * model keeps its parameters, optimizer state and predictions. (The crash between a save's write
 * and its rename is simulated in the runtime's CheckpointTest, which reaches the seam.)
 */
class CheckpointRobustnessTest {

  @TempDir Path directory;

  private final INDArray x = RandomArrays.uniform(1, 10, 6).castTo(DataType.FLOAT);
  private final INDArray y = RandomArrays.oneHot(2, 10, 3).castTo(DataType.FLOAT);

  @Test
  void truncatedFileSaysTruncated() throws IOException {
    Path file = saved(ClassifierModel.create(3));
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
    assertRejectedUnchanged(file, "truncated");
  }

  @Test
  void corruptedFileSaysCorrupted() throws IOException {
    Path file = saved(ClassifierModel.create(3));
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(file, bytes);
    assertRejectedUnchanged(file, "corrupted", "checksum");
  }

  @Test
  void fileOfAnotherModelNamesTheParameterThatDiffers() throws IOException {
    Path file = saved(TwoByTwoModel.create(4));
    assertRejectedUnchanged(file, "TwoByTwo", "hidden", "kernel", "(7, 6)", "(6, 8)");
  }

  @Test
  void fileOfAnotherArchitectureWithTheSameParametersIsRefused() throws IOException {
    Path file = saved(TanhClassifierModel.create(5));
    assertRejectedUnchanged(file, "another architecture", "TanhClassifier");
  }

  @Test
  void fileOfAnotherOptimizerSaysToSetTheSameOne() throws IOException {
    ClassifierModel adam = ClassifierModel.create(6);
    adam.setUpdater(new Adam(0.01));
    Path file = saved(adam);
    assertRejectedUnchanged(file, "adam", "sgd", "set the same updater");
  }

  @Test
  void leftoversOfAnInterruptedSaveDisturbNeitherLoadingNorTheNextSave() throws IOException {
    ClassifierModel model = ClassifierModel.create(7);
    Path file = directory.resolve("model.kiln");
    model.save(file);
    INDArray saved = model.parameters().dup();
    // What a crash while writing the temporary file would leave next to the checkpoint.
    byte[] half = Arrays.copyOf(Files.readAllBytes(file), 100);
    Files.write(directory.resolve("model.kiln4711.tmp"), half);

    ClassifierModel restored = ClassifierModel.create(8);
    restored.load(file);
    assertTrue(ModelChecks.sameBits(saved, restored.parameters()));
    model.trainStep(x, y);
    model.save(file);
    restored.load(file);
    assertTrue(ModelChecks.sameBits(model.parameters(), restored.parameters()));
    try (Stream<Path> files = Files.list(directory)) {
      assertEquals(2, files.count(), "the save left nothing but its file");
    }
  }

  /** A checkpoint of {@code model} after two steps of its own kind of training. */
  private Path saved(KilnModel model) throws IOException {
    Path file = Files.createTempFile(directory, model.spec().name(), ".kiln");
    if (model instanceof ClassifierModel classifier) {
      classifier.trainStep(x, y);
    }
    model.save(file);
    return file;
  }

  /** Loading {@code file} into a trained Classifier fails naming the cause and changes nothing. */
  private void assertRejectedUnchanged(Path file, String... words) {
    ClassifierModel model = ClassifierModel.create(9);
    model.trainStep(x, y);
    model.updater().setLearningRate(0.037);
    INDArray parameters = model.parameters().dup();
    List<INDArray> state = model.updater().stateArrays().stream().map(INDArray::dup).toList();
    long iterations = model.updater().iterations();
    INDArray predictions = model.predict(x).output().dup();

    CheckpointException e = assertThrows(CheckpointException.class, () -> model.load(file));
    for (String word : words) {
      assertTrue(e.getMessage().contains(word), "'" + word + "' in: " + e.getMessage());
    }
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(ModelChecks.sameBits(parameters, model.parameters()), "parameters changed");
    for (int i = 0; i < state.size(); i++) {
      assertTrue(ModelChecks.sameBits(state.get(i), model.updater().stateArrays().get(i)));
    }
    assertEquals(iterations, model.updater().iterations());
    assertEquals(0.037, model.updater().learningRate(), 0.0);
    assertTrue(ModelChecks.sameBits(predictions, model.predict(x).output()));
  }
}
