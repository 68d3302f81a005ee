package dev.kiln.runtime.io;

import dev.kiln.runtime.ModelSpec;
import dev.kiln.runtime.ParameterSpec;
import dev.kiln.runtime.Shapes;
import dev.kiln.runtime.optim.Updater;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Kiln's checkpoint file: parameters and updater state with the architecture they belong to.
 *
 * <p>Layout, version 1 (big-endian): the magic {@code KILNCKPT}; the version; the model name and
 * architecture fingerprint; the data type; the parameter table (layer, name and shape of each);
 * the flat parameters; the updater's name, step count, learning rate and flat state arrays; and
 * a CRC-32 of everything before it. A file is checked whole before anything in the model
 * changes.
 */
public final class Checkpoint {

  private static final byte[] MAGIC = {'K', 'I', 'L', 'N', 'C', 'K', 'P', 'T'};
  private static final int VERSION = 1;

  private Checkpoint() {}

  /**
   * Writes a checkpoint through a temporary file renamed over {@code path}: a crash before the
   * rename leaves the previous file at {@code path} as it was, a crash after it the new one.
   */
  public static void write(
      Path path, ModelSpec spec, DataType dataType, INDArray parameters, Updater updater)
      throws IOException {
    Path temporary = writeTemporary(path, spec, dataType, parameters, updater);
    try {
      moveIntoPlace(temporary, path);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  /** The bytes of a checkpoint, checksum included. */
  private static byte[] encode(
      ModelSpec spec, DataType dataType, INDArray parameters, Updater updater) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.write(MAGIC);
    out.writeInt(VERSION);
    out.writeUTF(spec.name());
    out.writeUTF(spec.fingerprint());
    out.writeUTF(dataType.name());
    out.writeInt(spec.parameters().size());
    for (ParameterSpec parameter : spec.parameters()) {
      out.writeUTF(parameter.layer());
      out.writeUTF(parameter.name());
      out.writeInt(parameter.shape().length);
      for (long size : parameter.shape()) {
        out.writeLong(size);
      }
    }
    writeArray(out, parameters);
    out.writeUTF(updater.name());
    out.writeLong(updater.iterations());
    out.writeDouble(updater.learningRate());
    List<INDArray> state = updater.stateArrays();
    out.writeInt(state.size());
    for (INDArray array : state) {
      writeArray(out, array);
    }
    CRC32 crc = new CRC32();
    crc.update(bytes.toByteArray());
    out.writeLong(crc.getValue());
    out.flush();
    return bytes.toByteArray();
  }

  /**
   * The first half of {@link #write}: the whole checkpoint in a new temporary file next to
   * {@code path}, forced to the disk, with {@code path} itself untouched. Package-private so that
   * a test can stop a save exactly where a crash before the rename would.
   */
  static Path writeTemporary(
      Path path, ModelSpec spec, DataType dataType, INDArray parameters, Updater updater)
      throws IOException {
    byte[] content = encode(spec, dataType, parameters, updater);
    Path directory = path.toAbsolutePath().getParent();
    Files.createDirectories(directory);
    Path temporary = Files.createTempFile(directory, path.getFileName().toString(), ".tmp");
    try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(content);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
      return temporary;
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temporary);
      throw e;
    }
  }

  /**
   * Reads a checkpoint into {@code parameters} and {@code updater}, after checking all of it
   * against {@code spec}; on any error neither is changed.
   */
  public static void read(Path path, ModelSpec spec, INDArray parameters, Updater updater)
      throws IOException {
    byte[] bytes = Files.readAllBytes(path);
    String file = path.toString();
    if (bytes.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
      throw new CheckpointException(file + " is not a Kiln checkpoint (no KILNCKPT header)");
    }
    long needed = Layout.length(bytes);
    if (needed > bytes.length) {
      throw new CheckpointException(
          file + " is truncated: it ends after " + bytes.length + " bytes, before the end its own"
              + " header announces (a copy or a save cut short?); the model was not changed");
    }
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, bytes.length - 8);
    long storedCrc = ByteBuffer.wrap(bytes, bytes.length - 8, 8).getLong();
    if (crc.getValue() != storedCrc) {
      throw new CheckpointException(
          file + " is corrupted: its checksum does not match its content (a changed byte?);"
              + " the model was not changed");
    }
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 0, bytes.length - 8));
    try {
      in.skipBytes(MAGIC.length);
      int version = in.readInt();
      if (version != VERSION) {
        throw new CheckpointException(
            file + " has format version " + version + "; this Kiln reads version " + VERSION);
      }
      String name = in.readUTF();
      String fingerprint = in.readUTF();
      DataType dataType = DataType.valueOf(in.readUTF());
      checkArchitecture(file, spec, name, fingerprint, in);
      INDArray loadedParameters = readArray(in, dataType, parameters.length(), file);
      String updaterName = in.readUTF();
      long iterations = in.readLong();
      double learningRate = in.readDouble();
      int stateCount = in.readInt();
      if (!updaterName.equals(updater.name()) || stateCount != updater.stateArrays().size()) {
        throw new CheckpointException(
            file
                + " holds the state of a "
                + updaterName
                + " updater but the model uses "
                + updater.name()
                + "; set the same updater before loading");
      }
      INDArray[] state = new INDArray[stateCount];
      for (int i = 0; i < stateCount; i++) {
        state[i] = readArray(in, dataType, parameters.length(), file);
      }
      if (in.available() != 0) {
        throw new CheckpointException(file + " has unexpected bytes after its content");
      }
      if (iterations < 0) {
        throw new CheckpointException(
            file + " records " + iterations + " iterations (steps taken); it is malformed");
      }
      if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
        throw new CheckpointException(
            file + " records the learning rate " + learningRate + "; it is malformed");
      }
      // ND4J refuses to assign empty arrays, as of a model without parameters.
      if (parameters.length() > 0) {
        parameters.assign(loadedParameters);
        for (int i = 0; i < stateCount; i++) {
          updater.stateArrays().get(i).assign(state[i]);
        }
      }
      updater.setIterations(iterations);
      updater.setLearningRate(learningRate);
    } catch (EOFException | IllegalArgumentException e) {
      throw new CheckpointException(file + " is malformed: " + e.getMessage());
    }
  }

  private static void checkArchitecture(
      String file, ModelSpec spec, String name, String fingerprint, DataInputStream in)
      throws IOException {
    int count = in.readInt();
    List<ParameterSpec> expected = spec.parameters();
    for (int i = 0; i < Math.max(count, expected.size()); i++) {
      String layer = i < count ? in.readUTF() : null;
      String parameter = i < count ? in.readUTF() : null;
      long[] shape = i < count ? readShape(in) : null;
      ParameterSpec mine = i < expected.size() ? expected.get(i) : null;
      if (mine == null) {
        throw new CheckpointException(
            file + " was saved from model " + name + ", which has more parameters: " + layer + "."
                + parameter + " " + Shapes.of(shape) + " has no counterpart in " + spec.name());
      }
      if (layer == null) {
        throw new CheckpointException(
            file + " was saved from model " + name + ", which has no parameter for "
                + mine.layer() + "." + mine.name() + " " + Shapes.of(mine.shape()));
      }
      if (!mine.layer().equals(layer)
          || !mine.name().equals(parameter)
          || !Arrays.equals(mine.shape(), shape)) {
        throw new CheckpointException(
            file + " was saved from model " + name + " whose layer " + layer + " has " + parameter
                + " " + Shapes.of(shape) + "; this " + spec.name() + " has " + mine.layer() + "."
                + mine.name() + " " + Shapes.of(mine.shape()) + " there");
      }
    }
    if (!fingerprint.equals(spec.fingerprint())) {
      throw new CheckpointException(
          file + " was saved from a model with the same parameters but another architecture ("
              + name + ", fingerprint " + fingerprint + "; this is " + spec.name() + ", "
              + spec.fingerprint() + ")");
    }
  }

  private static long[] readShape(DataInputStream in) throws IOException {
    int rank = in.readInt();
    if (rank < 0 || rank > 32) {
      throw new EOFException("implausible rank " + rank);
    }
    long[] shape = new long[rank];
    for (int axis = 0; axis < rank; axis++) {
      shape[axis] = in.readLong();
    }
    return shape;
  }

  private static void writeArray(DataOutputStream out, INDArray array) throws IOException {
    out.writeLong(array.length());
    if (array.dataType() == DataType.DOUBLE) {
      for (double value : array.toDoubleVector()) {
        out.writeDouble(value);
      }
    } else {
      for (float value : array.toFloatVector()) {
        out.writeFloat(value);
      }
    }
  }

  private static INDArray readArray(DataInputStream in, DataType dataType, long length, String file)
      throws IOException {
    long stored = in.readLong();
    if (stored != length) {
      throw new CheckpointException(
          file + " holds an array of " + stored + " values where " + length + " were expected");
    }
    int n = Math.toIntExact(length);
    if (dataType == DataType.DOUBLE) {
      double[] values = new double[n];
      for (int i = 0; i < n; i++) {
        values[i] = in.readDouble();
      }
      return Nd4j.createFromArray(values);
    }
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = in.readFloat();
    }
    return Nd4j.createFromArray(values);
  }

  private static void moveIntoPlace(Path temporary, Path target) throws IOException {
    try {
      Files.move(
          temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
