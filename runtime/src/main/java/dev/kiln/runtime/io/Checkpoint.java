package dev.kiln.runtime.io;

import dev.kiln.runtime.ModelSpec;
import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.ParameterSpec;
import dev.kiln.runtime.Shapes;
import dev.kiln.runtime.optim.Updater;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Kiln's checkpoint file: parameters and updater state with the architecture they belong to.
 *
 * <p>Layout, version 1 (big-endian): the magic {@code KILNCKPT}; the version; the model name and
 * architecture fingerprint; the data type; the parameter table (layer, name and shape of each);
 * the flat parameters; the updater's name, step count, learning rate and flat state arrays; and
 * a CRC-32 of everything before it. Every array is its 64-bit count of values, then the values.
 *
 * <p>Files are written and read as streams, a chunk at a time: any size that fits on disk, in a
 * bounded amount of heap beyond the model. A file is checked whole (structure, checksum,
 * architecture, updater) before anything in the model changes; the values are then read from the
 * same open file.
 *
 * <p>Data types: a checkpoint records the type it was saved in and loads into a model of either
 * type, converted as Keras' {@code load_weights} converts to the variable's type: float32 into
 * float64 exactly, float64 into float32 rounded to the nearest float.
 */
public final class Checkpoint {

  private static final byte[] MAGIC = {'K', 'I', 'L', 'N', 'C', 'K', 'P', 'T'};
  private static final int VERSION = 1;

  /** Values converted per chunk: 128 KB of float64. */
  private static final int CHUNK = 1 << 14;

  private static final int STREAM_BUFFER = 1 << 16;

  private static final int CHECKSUM_BUFFER = 1 << 20;

  private Checkpoint() {}

  /**
   * Writes a checkpoint through a temporary file renamed over {@code path} (or over the file its
   * symbolic links lead to): a crash before the rename leaves the previous file as it was, a
   * crash after it the new one. Errors name {@code path}.
   */
  public static void write(
      Path path, ModelSpec spec, DataType dataType, INDArray parameters, Updater updater)
      throws IOException {
    Path target = AtomicSave.target(path);
    try {
      Path temporary = writeTemporary(target, spec, dataType, parameters, updater);
      AtomicSave.moveIntoPlace(temporary, target);
    } catch (IOException e) {
      throw new IOException("could not save the checkpoint " + path + ": " + reason(e), e);
    }
  }

  /**
   * The first half of {@link #write}: the whole checkpoint in a new temporary file next to
   * {@code path}, forced to the disk, with {@code path} itself untouched. Package-private so that
   * a test can stop a save exactly where a crash before the rename would.
   */
  static Path writeTemporary(
      Path path, ModelSpec spec, DataType dataType, INDArray parameters, Updater updater)
      throws IOException {
    return AtomicSave.writeTemporary(
        AtomicSave.target(path), out -> encode(out, spec, dataType, parameters, updater));
  }

  /** Streams the checkpoint to {@code sink}, checksum included. */
  private static void encode(
      OutputStream sink, ModelSpec spec, DataType dataType, INDArray parameters, Updater updater)
      throws IOException {
    CheckedOutputStream checked =
        new CheckedOutputStream(new BufferedOutputStream(sink, STREAM_BUFFER), new CRC32());
    DataOutputStream out = new DataOutputStream(checked);
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
    writeArray(out, parameters, dataType);
    out.writeUTF(updater.name());
    out.writeLong(updater.iterations());
    out.writeDouble(updater.learningRate());
    List<INDArray> state = updater.stateArrays();
    out.writeInt(state.size());
    for (INDArray array : state) {
      writeArray(out, array, dataType);
    }
    out.flush();
    out.writeLong(checked.getChecksum().getValue());
    out.flush();
  }

  /** Where a checked file keeps its values, and what it records beside them. */
  record Contents(
      DataType dataType, long parametersAt, long[] statesAt, long iterations, double rate) {}

  /**
   * Reads a checkpoint into {@code parameters} and {@code updater}, after checking all of it
   * against {@code spec}; on any error neither is changed.
   */
  public static void read(Path path, ModelSpec spec, INDArray parameters, Updater updater)
      throws IOException {
    String file = path.toString();
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      Contents contents = check(channel, file, spec, parameters.length(), updater);
      // ND4J refuses to assign empty arrays, as of a model without parameters.
      if (parameters.length() > 0) {
        readValues(channel, contents.parametersAt(), contents.dataType(), parameters);
        for (int i = 0; i < contents.statesAt().length; i++) {
          readValues(channel, contents.statesAt()[i], contents.dataType(),
              updater.stateArrays().get(i));
        }
      }
      updater.setIterations(contents.iterations());
      updater.setLearningRate(contents.rate());
    }
  }

  /** Checks a whole file without changing anything; returns where its values are. */
  static Contents check(
      FileChannel channel, String file, ModelSpec spec, long length, Updater updater)
      throws IOException {
    long size = channel.size();
    if (size < MAGIC.length || !Arrays.equals(readBytes(channel, MAGIC.length), MAGIC)) {
      throw new CheckpointException(file + " is not a Kiln checkpoint (no KILNCKPT header)");
    }
    long needed = Layout.length(new ChannelInput(channel, 0, size));
    if (needed > size) {
      throw new CheckpointException(
          file + " is truncated: it ends after " + size + " bytes, before the end its own"
              + " header announces (a copy or a save cut short?); the model was not changed");
    }
    if (size < MAGIC.length + 8 || checksum(channel, size - 8) != storedChecksum(channel, size)) {
      throw new CheckpointException(
          file + " is corrupted: its checksum does not match its content (a changed byte?);"
              + " the model was not changed");
    }
    ChannelInput in = new ChannelInput(channel, 0, size - 8);
    try {
      in.skip(MAGIC.length);
      int version = in.readInt();
      if (version != VERSION) {
        throw new CheckpointException(
            file + " has format version " + version + "; this Kiln reads version " + VERSION);
      }
      String name = in.readUtf();
      String fingerprint = in.readUtf();
      String typeName = in.readUtf();
      int valueSize = Layout.valueSize(typeName);
      if (valueSize < 0) {
        throw new CheckpointException(
            file + " holds values of type " + typeName + "; Kiln saves FLOAT or DOUBLE");
      }
      checkArchitecture(file, spec, name, fingerprint, in);
      long parametersAt = arrayAt(in, valueSize, length, file);
      String updaterName = in.readUtf();
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
      long[] statesAt = new long[stateCount];
      for (int i = 0; i < stateCount; i++) {
        statesAt[i] = arrayAt(in, valueSize, length, file);
      }
      if (in.remaining() != 0) {
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
      return new Contents(
          DataType.valueOf(typeName), parametersAt, statesAt, iterations, learningRate);
    } catch (EOFException | IllegalArgumentException e) {
      throw new CheckpointException(file + " is malformed: " + e.getMessage());
    }
  }

  private static void checkArchitecture(
      String file, ModelSpec spec, String name, String fingerprint, ChannelInput in)
      throws IOException {
    int count = in.readInt();
    List<ParameterSpec> expected = spec.parameters();
    for (int i = 0; i < Math.max(count, expected.size()); i++) {
      String layer = i < count ? in.readUtf() : null;
      String parameter = i < count ? in.readUtf() : null;
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

  private static long[] readShape(ChannelInput in) throws IOException {
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

  /**
   * Checks an array's recorded count against {@code length} and moves past its values; returns
   * the file position of its first value.
   */
  private static long arrayAt(ChannelInput in, int valueSize, long length, String file)
      throws IOException {
    long stored = in.readLong();
    if (stored != length) {
      throw new CheckpointException(
          file + " holds an array of " + stored + " values where " + length + " were expected");
    }
    long at = in.position();
    in.skip(Math.multiplyExact(stored, (long) valueSize));
    return at;
  }

  /** Writes an array's count, then its values as {@code dataType}, a chunk at a time. */
  private static void writeArray(DataOutputStream out, INDArray array, DataType dataType)
      throws IOException {
    long length = array.length();
    out.writeLong(length);
    int valueSize = Layout.valueSize(dataType.name());
    INDArray flat = flat(array);
    ByteBuffer bytes = ByteBuffer.allocate(CHUNK * valueSize);
    for (long from = 0; from < length; from += CHUNK) {
      int count = (int) Math.min(CHUNK, length - from);
      INDArray part = NdArrays.view(flat, from, count);
      bytes.clear();
      if (dataType == DataType.DOUBLE) {
        bytes.asDoubleBuffer().put(part.toDoubleVector());
      } else {
        bytes.asFloatBuffer().put(part.toFloatVector());
      }
      out.write(bytes.array(), 0, count * valueSize);
    }
  }

  /**
   * Reads the values of an array at file position {@code at}, saved as {@code stored}, into
   * {@code target}, a chunk at a time, converting to its type.
   */
  private static void readValues(FileChannel channel, long at, DataType stored, INDArray target)
      throws IOException {
    long length = target.length();
    int valueSize = Layout.valueSize(stored.name());
    ChannelInput in = new ChannelInput(channel, at, at + length * valueSize);
    INDArray flat = flat(target);
    byte[] chunk = new byte[CHUNK * valueSize];
    for (long from = 0; from < length; from += CHUNK) {
      int count = (int) Math.min(CHUNK, length - from);
      in.readFully(chunk, 0, count * valueSize);
      ByteBuffer bytes = ByteBuffer.wrap(chunk, 0, count * valueSize);
      INDArray values;
      if (stored == DataType.DOUBLE) {
        double[] doubles = new double[count];
        bytes.asDoubleBuffer().get(doubles);
        values = Nd4j.createFromArray(doubles);
      } else {
        float[] floats = new float[count];
        bytes.asFloatBuffer().get(floats);
        values = Nd4j.createFromArray(floats);
      }
      NdArrays.view(flat, from, count).assign(values);
    }
    if (flat != target) {
      target.assign(flat.reshape(target.shape()));
    }
  }

  /** {@code array} as a row-major vector: itself or a view when it is laid out so. */
  private static INDArray flat(INDArray array) {
    boolean rowMajor = array.ordering() == 'c' && array.elementWiseStride() == 1;
    return rowMajor ? NdArrays.view(array, 0, array.length()) : array.dup('c');
  }

  private static byte[] readBytes(FileChannel channel, int count) throws IOException {
    ChannelInput in = new ChannelInput(channel, 0, count);
    byte[] bytes = new byte[count];
    in.readFully(bytes, 0, count);
    return bytes;
  }

  private static long storedChecksum(FileChannel channel, long size) throws IOException {
    return new ChannelInput(channel, size - 8, size).readLong();
  }

  /** The CRC-32 of the file's first {@code length} bytes, read a buffer at a time. */
  private static long checksum(FileChannel channel, long length) throws IOException {
    CRC32 crc = new CRC32();
    // Direct: the channel reads into it without a copy, and CRC32 reads it in place.
    ByteBuffer buffer = ByteBuffer.allocateDirect(CHECKSUM_BUFFER);
    for (long position = 0; position < length; ) {
      buffer.clear().limit((int) Math.min(buffer.capacity(), length - position));
      int read = channel.read(buffer, position);
      if (read < 0) {
        throw new EOFException("the file is shorter than it was when opened");
      }
      buffer.flip();
      crc.update(buffer);
      position += read;
    }
    return crc.getValue();
  }

  /** What went wrong in a save, without the temporary file's name, which means nothing to a user. */
  private static String reason(IOException e) {
    if (e instanceof FileSystemException failure) {
      String file = failure.getFile();
      String what = failure.getReason() != null
          ? failure.getReason()
          : failure.getClass().getSimpleName().replace("Exception", "");
      return file == null || AtomicSave.writer(Path.of(file).getFileName().toString()).isPresent()
          ? what
          : what + " (" + file + ")";
    }
    return e.getMessage();
  }
}
