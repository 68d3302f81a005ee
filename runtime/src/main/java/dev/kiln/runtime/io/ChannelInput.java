package dev.kiln.runtime.io;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32;

/**
 * Big-endian reads from a file through one small buffer, at 64-bit positions: a checkpoint of any
 * size is read and checked in a bounded amount of heap. Values read (not skipped) can be fed to a
 * checksum.
 */
final class ChannelInput {

  private static final int BUFFER_SIZE = 1 << 16;

  private final FileChannel channel;
  private final long end;
  private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
  private long bufferStart;
  private CRC32 checksum;

  /** Reads {@code channel} from {@code start} up to, not including, {@code end}. */
  ChannelInput(FileChannel channel, long start, long end) {
    this.channel = channel;
    this.end = end;
    this.bufferStart = start;
    buffer.limit(0);
  }

  /** Feeds every byte read from now on (skipped ones excluded) to {@code crc}. */
  void checksumInto(CRC32 crc) {
    this.checksum = crc;
  }

  /** The file position of the next byte. */
  long position() {
    return bufferStart + buffer.position();
  }

  /** The bytes left before the end. */
  long remaining() {
    return end - position();
  }

  int readInt() throws IOException {
    return require(4).getInt();
  }

  long readLong() throws IOException {
    return require(8).getLong();
  }

  double readDouble() throws IOException {
    return require(8).getDouble();
  }

  /** Text as {@code DataOutputStream.writeUTF} writes it: a 16-bit length, then modified UTF-8. */
  String readUtf() throws IOException {
    int length = Short.toUnsignedInt(require(2).getShort());
    byte[] text = new byte[length + 2];
    text[0] = (byte) (length >>> 8);
    text[1] = (byte) length;
    readFully(text, 2, length);
    return new DataInputStream(new ByteArrayInputStream(text)).readUTF();
  }

  /** Fills {@code values} from the file, {@code count} bytes from {@code offset}. */
  void readFully(byte[] values, int offset, int count) throws IOException {
    while (count > 0) {
      if (!buffer.hasRemaining()) {
        fill(1);
      }
      int n = Math.min(count, buffer.remaining());
      int from = buffer.position();
      buffer.get(values, offset, n);
      if (checksum != null) {
        checksum.update(buffer.array(), from, n);
      }
      offset += n;
      count -= n;
    }
  }

  /** A buffer positioned at the next {@code count} bytes (at most its capacity). */
  ByteBuffer require(int count) throws IOException {
    if (buffer.remaining() < count) {
      fill(count);
    }
    if (checksum != null) {
      checksum.update(buffer.array(), buffer.position(), count);
    }
    return buffer;
  }

  /** Moves past {@code count} bytes without reading them; fails if the file ends first. */
  void skip(long count) throws IOException {
    if (count < 0 || count > remaining()) {
      throw new EOFException("the file ends " + remaining() + " bytes on, before " + count
          + " more bytes");
    }
    long target = position() + count;
    if (count <= buffer.remaining()) {
      buffer.position(buffer.position() + (int) count);
    } else {
      bufferStart = target;
      buffer.limit(0);
    }
  }

  /** Refills the buffer from the current position with at least {@code count} bytes. */
  private void fill(int count) throws IOException {
    long position = position();
    if (end - position < count) {
      throw new EOFException("the file ends " + (end - position) + " bytes on, before a value of "
          + count + " bytes");
    }
    buffer.compact(); // the unread bytes, those of the file from position on, now start it
    bufferStart = position;
    int wanted = (int) Math.min(buffer.remaining(), end - (bufferStart + buffer.position()));
    buffer.limit(buffer.position() + wanted);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, bufferStart + buffer.position()) < 0) {
        throw new EOFException("the file is shorter than it was when opened");
      }
    }
    buffer.flip();
  }
}
