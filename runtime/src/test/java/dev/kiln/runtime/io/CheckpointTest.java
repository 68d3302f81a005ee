package dev.kiln.runtime.io;

import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.DType;
import dev.kiln.Initializer;
import dev.kiln.Loss;
import dev.kiln.Metric;
import dev.kiln.Optimizer;
import dev.kiln.runtime.InputSpec;
import dev.kiln.runtime.ModelSpec;
import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.OutputSpec;
import dev.kiln.runtime.ParameterSpec;
import dev.kiln.runtime.optim.Adam;
import dev.kiln.runtime.optim.RmsProp;
import dev.kiln.runtime.optim.Updater;
import dev.kiln.runtime.testing.RandomArrays;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class CheckpointTest {

  private static final long[] KERNEL1 = {3, 4};
  private static final long[] BIAS1 = {4};
  private static final long[] KERNEL2 = {4, 2};
  private static final long[] BIAS2 = {2};

  /** A learning rate and a step count that are easy to find in the file's bytes. */
  private static final double MARKED_RATE = 0.0123456789;

  private static final long MARKED_ITERATIONS = 0x0123_4567_89ABL;

  private static final String VALIDATED_TOO_LATE =
      ": Checkpoint.read assigns parameters and updater state before Updater.setIterations and"
          + " setLearningRate reject the stored values, so the model is changed though the read"
          + " fails";

  @TempDir Path directory;

  // ---- round trips ----

  @Test
  void float64ParametersAndAdamStateComeBackBitForBit() throws IOException {
    checkRoundTrip(DataType.DOUBLE);
  }

  @Test
  void float32ParametersAndAdamStateComeBackBitForBit() throws IOException {
    checkRoundTrip(DataType.FLOAT);
  }

  @Test
  void restoredModelTakesTheSameNextStepAsTheOriginal() throws IOException {
    ModelSpec spec = spec("fp", KERNEL1, BIAS1, KERNEL2, BIAS2);
    Trained original = trained(spec, DataType.DOUBLE, 1);
    Path file = directory.resolve("model.kiln");
    Checkpoint.write(file, spec, DataType.DOUBLE, original.parameters, original.updater);

    INDArray parameters = RandomArrays.uniform(50, spec.parameterCount());
    Updater updater = new Adam(0.001);
    updater.attach(spec.parameterCount(), DataType.DOUBLE);
    Checkpoint.read(file, spec, parameters, updater);

    INDArray gradient = RandomArrays.uniform(60, spec.parameterCount());
    original.updater.step(original.parameters, gradient.dup());
    updater.step(parameters, gradient.dup());
    assertBitsEqual(original.parameters, parameters, "parameters after one more step");
  }

  @Test
  void modelWithoutParametersRoundTripsItsStepCount() throws IOException {
    // Only pooling, reshaping and activations: empty buffers, which ND4J will not assign.
    ModelSpec spec = spec("fp");
    Updater saved = new Adam(0.01);
    saved.attach(0, DataType.DOUBLE);
    saved.step(NdArrays.zeros(DataType.DOUBLE, 0), NdArrays.zeros(DataType.DOUBLE, 0));
    Path file = directory.resolve("empty.kiln");
    Checkpoint.write(file, spec, DataType.DOUBLE, NdArrays.zeros(DataType.DOUBLE, 0), saved);

    Updater loaded = new Adam(0.01);
    loaded.attach(0, DataType.DOUBLE);
    Checkpoint.read(file, spec, NdArrays.zeros(DataType.DOUBLE, 0), loaded);
    assertEquals(1, loaded.iterations());
  }

  @Test
  void savingOverAnExistingFileReplacesItAndLeavesNoTemporaryFiles() throws IOException {
    ModelSpec spec = spec("fp", KERNEL1, BIAS1, KERNEL2, BIAS2);
    Path file = directory.resolve("model.kiln");
    Trained first = trained(spec, DataType.DOUBLE, 1);
    Checkpoint.write(file, spec, DataType.DOUBLE, first.parameters, first.updater);
    Trained second = trained(spec, DataType.DOUBLE, 2);
    Checkpoint.write(file, spec, DataType.DOUBLE, second.parameters, second.updater);

    INDArray parameters = RandomArrays.uniform(50, spec.parameterCount());
    Updater updater = new Adam(0.001);
    updater.attach(spec.parameterCount(), DataType.DOUBLE);
    Checkpoint.read(file, spec, parameters, updater);
    assertBitsEqual(second.parameters, parameters, "parameters of the second save");
    try (Stream<Path> files = Files.list(directory)) {
      assertEquals(List.of(file), files.toList(), "files in the directory");
    }
  }

  @Test
  void writeCreatesMissingDirectories() throws IOException {
    ModelSpec spec = spec("fp", KERNEL1, BIAS1, KERNEL2, BIAS2);
    Trained source = trained(spec, DataType.DOUBLE, 1);
    Path file = directory.resolve("a/b/model.kiln");
    Checkpoint.write(file, spec, DataType.DOUBLE, source.parameters, source.updater);
    assertTrue(Files.isRegularFile(file));
    try (Stream<Path> files = Files.list(file.getParent())) {
      assertEquals(List.of(file), files.toList(), "files next to the checkpoint");
    }
  }

  // ---- rejected files ----

  @Test
  void truncatedFileIsRejectedAsTruncatedAndChangesNothing() throws IOException {
    Path file = saved("fp", KERNEL1, BIAS1, KERNEL2, BIAS2);
    byte[] bytes = Files.readAllBytes(file);
    // In the arrays, in the parameter table, in the header, and only the checksum missing.
    for (int length : new int[] {bytes.length * 3 / 5, 60, 14, bytes.length - 8}) {
      Files.write(file, Arrays.copyOf(bytes, length));
      String message = assertRejected(
          file, spec("fp", KERNEL1, BIAS1, KERNEL2, BIAS2), target(), "truncated",
          "after " + length + " bytes");
      assertFalse(message.contains("corrupted"), message);
    }
  }

  @Test
  void fileWithOneFlippedByteIsRejectedAsCorruptedAndChangesNothing() throws IOException {
    Path file = saved("fp", KERNEL1, BIAS1, KERNEL2, BIAS2);
    byte[] original = Files.readAllBytes(file);
    // In the parameters, in a parameter's name, in the checksum itself.
    for (int position : new int[] {original.length / 2, 44, original.length - 1}) {
      byte[] bytes = original.clone();
      bytes[position] ^= 0x10;
      Files.write(file, bytes);
      String message = assertRejected(
          file, spec("fp", KERNEL1, BIAS1, KERNEL2, BIAS2), target(), "corrupted", "checksum");
      assertFalse(message.contains("truncated"), message);
    }
  }

  @Test
  void crashBetweenWriteAndRenameLeavesThePreviousCheckpointLoadable() throws IOException {
    ModelSpec spec = spec("fp", KERNEL1, BIAS1, KERNEL2, BIAS2);
    Path file = directory.resolve("model.kiln");
    Trained first = trained(spec, DataType.DOUBLE, 1);
    Checkpoint.write(file, spec, DataType.DOUBLE, first.parameters, first.updater);

    // The second save stops where a crash between its write and its rename would stop it.
    Trained second = trained(spec, DataType.DOUBLE, 2);
    Path orphan =
        Checkpoint.writeTemporary(file, spec, DataType.DOUBLE, second.parameters, second.updater);
    assertTrue(Files.isRegularFile(orphan), "the crash leaves the temporary file behind");
    assertEquals(file.getParent(), orphan.getParent(), "the temporary file is next to the target");

    INDArray parameters = RandomArrays.uniform(50, spec.parameterCount());
    Updater updater = new Adam(0.001);
    updater.attach(spec.parameterCount(), DataType.DOUBLE);
    Checkpoint.read(file, spec, parameters, updater);
    assertBitsEqual(first.parameters, parameters, "parameters of the save before the crash");
    assertEquals(first.updater.iterations(), updater.iterations(), "iterations");

    // After a restart, saving again replaces the file; the orphan does not get in the way.
    Checkpoint.write(file, spec, DataType.DOUBLE, second.parameters, second.updater);
    Checkpoint.read(file, spec, parameters, updater);
    assertBitsEqual(second.parameters, parameters, "parameters of the save after the restart");
  }

  @Test
  void fileThatIsNotACheckpointIsRejectedAndChangesNothing() throws IOException {
    Path file = directory.resolve("notes.txt");
    Files.writeString(file, "These are not the weights you are looking for.\n".repeat(5));
    assertRejected(
        file, spec("fp", KERNEL1, BIAS1, KERNEL2, BIAS2), target(), "not a Kiln checkpoint");
    Files.write(file, new byte[0]);
    assertRejected(
        file, spec("fp", KERNEL1, BIAS1, KERNEL2, BIAS2), target(), "not a Kiln checkpoint");
  }

  @Test
  void parameterOfAnotherShapeIsRejectedNamingLayerAndBothShapes() throws IOException {
    // Same number of values, so only the recorded shape can tell.
    Path file = saved("fp", new long[] {4, 3}, BIAS1, KERNEL2, BIAS2);
    assertRejected(
        file, spec("fp", KERNEL1, BIAS1, KERNEL2, BIAS2), target(), "dense1", "(4, 3)", "(3, 4)");
  }

  @Test
  void parameterOfAnotherSizeIsRejectedNamingLayerAndBothShapes() throws IOException {
    Path file = saved("fp", KERNEL1, BIAS1, new long[] {4, 3}, new long[] {3});
    assertRejected(
        file, spec("fp", KERNEL1, BIAS1, KERNEL2, BIAS2), target(), "dense2", "(4, 3)", "(4, 2)");
  }

  @Test
  void checkpointWithFewerParametersIsRejectedNamingTheMissingOne() throws IOException {
    Path file = saved("fp", KERNEL1, BIAS1, KERNEL2);
    assertRejected(file, spec("fp", KERNEL1, BIAS1, KERNEL2, BIAS2), target(), "dense2.bias");
  }

  @Test
  void checkpointOfAnotherArchitectureWithTheSameParametersIsRejected() throws IOException {
    Path file = saved("other", KERNEL1, BIAS1, KERNEL2, BIAS2);
    assertRejected(
        file, spec("fp", KERNEL1, BIAS1, KERNEL2, BIAS2), target(), "another architecture");
  }

  @Test
  void checkpointOfAnotherUpdaterIsRejectedNamingBoth() throws IOException {
    Path file = saved("fp", KERNEL1, BIAS1, KERNEL2, BIAS2);
    ModelSpec spec = spec("fp", KERNEL1, BIAS1, KERNEL2, BIAS2);
    Target target = target(new RmsProp(0.01));
    assertRejected(file, spec, target, "adam", "rmsprop");
  }

  @Test
  void checkpointOfAnotherFormatVersionIsRejected() throws IOException {
    Path file = saved("fp", KERNEL1, BIAS1, KERNEL2, BIAS2);
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer.wrap(bytes).putInt(8, 2);
    writeWithValidChecksum(file, bytes);
    assertRejected(file, spec("fp", KERNEL1, BIAS1, KERNEL2, BIAS2), target(), "version 2");
  }

  @Test
  void invalidLearningRateInAnIntactFileIsRejectedAndChangesNothing() throws IOException {
    // Checkpoint.read promises "on any error neither is changed".
    for (double bad : new double[] {Double.NaN, -1.0, 0.0}) {
      Path file = saved("fp", KERNEL1, BIAS1, KERNEL2, BIAS2);
      byte[] bytes = Files.readAllBytes(file);
      replaceLong(bytes, Double.doubleToLongBits(MARKED_RATE), Double.doubleToLongBits(bad));
      writeWithValidChecksum(file, bytes);
      assertRejected(
          VALIDATED_TOO_LATE,
          file,
          spec("fp", KERNEL1, BIAS1, KERNEL2, BIAS2),
          target(),
          "learning rate");
    }
  }

  @Test
  void negativeStepCountInAnIntactFileIsRejectedAndChangesNothing() throws IOException {
    Path file = saved("fp", KERNEL1, BIAS1, KERNEL2, BIAS2);
    byte[] bytes = Files.readAllBytes(file);
    replaceLong(bytes, MARKED_ITERATIONS, -5);
    writeWithValidChecksum(file, bytes);
    assertRejected(
        VALIDATED_TOO_LATE,
        file,
        spec("fp", KERNEL1, BIAS1, KERNEL2, BIAS2),
        target(),
        "iterations");
  }

  // ---- helpers ----

  private record Trained(INDArray parameters, Updater updater) {}

  /** A model's parameters and updater that a failed read must leave exactly as they were. */
  private record Target(INDArray parameters, Updater updater) {}

  private void checkRoundTrip(DataType dataType) throws IOException {
    ModelSpec spec = spec("fp", KERNEL1, BIAS1, KERNEL2, BIAS2);
    Trained source = trained(spec, dataType, 1);
    // Values whose bits a careless conversion would change.
    source.parameters.putScalar(0, -0.0);
    source.parameters.putScalar(1, dataType == DataType.DOUBLE ? 1e-310 : 1e-40);
    source.parameters.putScalar(2, dataType == DataType.DOUBLE ? 1.0 / 3 : 1.0f / 3);
    source.parameters.putScalar(3, dataType == DataType.DOUBLE ? 1e300 : 3e38);
    Path file = directory.resolve("model.kiln");
    Checkpoint.write(file, spec, dataType, source.parameters, source.updater);

    INDArray parameters = RandomArrays.uniform(50, spec.parameterCount()).castTo(dataType);
    Updater updater = new Adam(0.001);
    updater.attach(spec.parameterCount(), dataType);
    Checkpoint.read(file, spec, parameters, updater);

    assertBitsEqual(source.parameters, parameters, "parameters");
    assertEquals(2, updater.stateArrays().size());
    for (int i = 0; i < 2; i++) {
      assertBitsEqual(
          source.updater.stateArrays().get(i), updater.stateArrays().get(i), "state " + i);
    }
    assertEquals(source.updater.iterations(), updater.iterations(), "iterations");
    assertEquals(source.updater.learningRate(), updater.learningRate(), 0.0, "learning rate");
  }

  /** Parameters after a few Adam steps, with the learning rate changed on the way. */
  private static Trained trained(ModelSpec spec, DataType dataType, long seed) {
    long n = spec.parameterCount();
    INDArray parameters = RandomArrays.uniform(seed, n).castTo(dataType);
    Updater adam = new Adam(0.01);
    adam.attach(n, dataType);
    for (int t = 0; t < 3; t++) {
      adam.step(parameters, RandomArrays.uniform(seed * 10 + t, n).castTo(dataType));
    }
    adam.setLearningRate(0.005);
    return new Trained(parameters, adam);
  }

  /** A float64 checkpoint saved from a model with the given parameter shapes. */
  private Path saved(String fingerprint, long[]... shapes) throws IOException {
    ModelSpec spec = spec(fingerprint, shapes);
    Trained source = trained(spec, DataType.DOUBLE, 3);
    source.updater.setLearningRate(MARKED_RATE);
    source.updater.setIterations(MARKED_ITERATIONS);
    Path file = Files.createTempFile(directory, "saved", ".kiln");
    Checkpoint.write(file, spec, DataType.DOUBLE, source.parameters, source.updater);
    return file;
  }

  private static Target target() {
    return target(new Adam(0.002));
  }

  /** Parameters and an updater that has taken a step of its own, so its state is not trivial. */
  private static Target target(Updater updater) {
    long n = spec("fp", KERNEL1, BIAS1, KERNEL2, BIAS2).parameterCount();
    INDArray parameters = RandomArrays.uniform(70, n);
    updater.attach(n, DataType.DOUBLE);
    updater.step(parameters, RandomArrays.uniform(71, n));
    updater.setLearningRate(0.0042);
    return new Target(parameters, updater);
  }

  /** Returns the message. */
  private static String assertRejected(
      Path file, ModelSpec spec, Target target, String... fragments) {
    return assertRejected("", file, spec, target, fragments);
  }

  /** {@code hint} explains a failure to leave the target unchanged; returns the message. */
  private static String assertRejected(
      String hint, Path file, ModelSpec spec, Target target, String... fragments) {
    INDArray parameters = target.parameters.dup();
    List<INDArray> state = new ArrayList<>();
    target.updater.stateArrays().forEach(array -> state.add(array.dup()));
    long iterations = target.updater.iterations();
    double learningRate = target.updater.learningRate();

    Exception e;
    try {
      Checkpoint.read(file, spec, target.parameters, target.updater);
      return fail("reading " + file + " succeeded");
    } catch (Exception thrown) {
      e = thrown;
    }
    String unchanged = " (after " + e + ")" + hint;
    assertBitsEqual(parameters, target.parameters, "parameters must be unchanged" + unchanged);
    for (int i = 0; i < state.size(); i++) {
      assertBitsEqual(
          state.get(i),
          target.updater.stateArrays().get(i),
          "state " + i + " must be unchanged" + unchanged);
    }
    assertEquals(
        iterations, target.updater.iterations(), "iterations must be unchanged" + unchanged);
    assertEquals(
        learningRate,
        target.updater.learningRate(),
        0.0,
        "learning rate must be unchanged" + unchanged);
    assertTrue(e instanceof CheckpointException, "expected a CheckpointException, got " + e);
    assertTrue(
        e.getMessage().contains(file.toString()), "message names the file: " + e.getMessage());
    for (String fragment : fragments) {
      assertTrue(
          e.getMessage().contains(fragment), "message lacks '" + fragment + "': " + e.getMessage());
    }
    return e.getMessage();
  }

  private static void assertBitsEqual(INDArray expected, INDArray actual, String what) {
    assertEquals(expected.dataType(), actual.dataType(), what + ": type");
    if (expected.dataType() == DataType.DOUBLE) {
      long[] e = bits(values(expected));
      long[] a = bits(values(actual));
      assertArrayEquals(e, a, what);
    } else {
      float[] e = expected.dup().reshape(expected.length()).toFloatVector();
      float[] a = actual.dup().reshape(actual.length()).toFloatVector();
      int[] eb = new int[e.length];
      int[] ab = new int[a.length];
      for (int i = 0; i < e.length; i++) {
        eb[i] = Float.floatToRawIntBits(e[i]);
        ab[i] = Float.floatToRawIntBits(a[i]);
      }
      assertArrayEquals(eb, ab, what);
    }
  }

  private static long[] bits(double[] values) {
    long[] bits = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      bits[i] = Double.doubleToRawLongBits(values[i]);
    }
    return bits;
  }

  /** Replaces the only big-endian occurrence of {@code marker}. */
  private static void replaceLong(byte[] bytes, long marker, long replacement) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    int found = -1;
    for (int i = 0; i + 8 <= bytes.length - 8; i++) {
      if (buffer.getLong(i) == marker) {
        assertEquals(-1, found, "marker found twice");
        found = i;
      }
    }
    assertTrue(found >= 0, "marker not found");
    buffer.putLong(found, replacement);
  }

  /** Writes {@code bytes} with a fresh CRC-32 of all but the last 8 bytes in those 8 bytes. */
  private static void writeWithValidChecksum(Path file, byte[] bytes) throws IOException {
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, bytes.length - 8);
    ByteBuffer.wrap(bytes).putLong(bytes.length - 8, crc.getValue());
    Files.write(file, bytes);
  }

  /**
   * Two Dense layers, {@code dense1} and {@code dense2}, with kernel and bias each (as many as
   * shapes given).
   */
  private static ModelSpec spec(String fingerprint, long[]... shapes) {
    String[][] names = {
      {"dense1", "kernel"}, {"dense1", "bias"}, {"dense2", "kernel"}, {"dense2", "bias"}
    };
    List<ParameterSpec> parameters = new ArrayList<>();
    for (int i = 0; i < shapes.length; i++) {
      long[] shape = shapes[i];
      parameters.add(
          new ParameterSpec(
              names[i][0],
              names[i][1],
              shape,
              shape.length == 1 ? Initializer.ZEROS : Initializer.GLOROT_UNIFORM,
              shape[0],
              shape[shape.length - 1]));
    }
    return new ModelSpec(
        "Mlp",
        fingerprint,
        List.of(new InputSpec("input", new long[] {3}, DType.FLOAT32)),
        List.of(
            new OutputSpec(
                "dense2",
                new long[] {2},
                Loss.CATEGORICAL_CROSSENTROPY,
                1.0,
                List.of(Metric.ACCURACY))),
        parameters,
        Optimizer.ADAM,
        Double.NaN,
        "",
        "");
  }
}
