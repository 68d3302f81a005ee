package dev.kiln.runtime.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST: a magic number whose third byte is the
 * element type ({@code 0x08}, unsigned bytes) and fourth the rank, the sizes as big-endian ints,
 * then the data. Gzipped files are recognised by their header.
 */
public final class Idx {

  private static final int UNSIGNED_BYTE = 0x08;

  private Idx() {}

  /** The contents of an IDX file of unsigned bytes. */
  public record Contents(int[] shape, byte[] values) {

    /** The number of entries along the first axis. */
    public int count() {
      return shape[0];
    }
  }

  /** Reads an IDX file, gzipped or plain. */
  public static Contents read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.toString());
    }
  }

  /** Reads an IDX stream, gzipped or plain; {@code source} names it in error messages. */
  public static Contents read(InputStream raw, String source) throws IOException {
    BufferedInputStream buffered = new BufferedInputStream(raw);
    buffered.mark(2);
    int first = buffered.read();
    int second = buffered.read();
    buffered.reset();
    InputStream plain = first == 0x1f && second == 0x8b ? new GZIPInputStream(buffered) : buffered;
    DataInputStream in = new DataInputStream(plain);
    try {
      return readContents(in, source);
    } catch (java.io.EOFException e) {
      throw new IOException(source + " is truncated: it ends inside its header or data");
    }
  }

  private static Contents readContents(DataInputStream in, String source) throws IOException {
    int magic = in.readInt();
    int type = (magic >> 8) & 0xff;
    int rank = magic & 0xff;
    if ((magic >>> 16) != 0 || type != UNSIGNED_BYTE || rank < 1 || rank > 4) {
      throw new IOException(
          source
              + " is not an IDX file of unsigned bytes (magic 0x"
              + Integer.toHexString(magic)
              + ", expected 0x0000080N)");
    }
    int[] shape = new int[rank];
    long length = 1;
    for (int axis = 0; axis < rank; axis++) {
      shape[axis] = in.readInt();
      if (shape[axis] < 0) {
        throw new IOException(
            source + " declares an impossible size " + shape[axis] + " on axis " + axis
                + "; sizes cannot be negative");
      }
      length *= shape[axis];
      if (length > Integer.MAX_VALUE) {
        throw new IOException(
            source + " declares an impossible size: " + length + " values do not fit in an array");
      }
    }
    byte[] values = new byte[(int) length];
    try {
      in.readFully(values);
    } catch (java.io.EOFException e) {
      throw new IOException(source + " is truncated: its header promises " + length + " values");
    }
    return new Contents(shape, values);
  }

  /** Writes {@code contents} as a gzipped IDX file of unsigned bytes. */
  public static void writeGzipped(Contents contents, Path file) throws IOException {
    try (OutputStream raw = Files.newOutputStream(file);
        DataOutputStream out = new DataOutputStream(new GZIPOutputStream(raw))) {
      out.writeInt((UNSIGNED_BYTE << 8) | contents.shape().length);
      for (int size : contents.shape()) {
        out.writeInt(size);
      }
      out.write(contents.values());
    }
  }
}
