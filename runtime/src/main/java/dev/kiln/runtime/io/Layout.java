package dev.kiln.runtime.io;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Walks a checkpoint's structure by the sizes it records, without checking or reading its
 * values, to tell a truncated file (its content runs past its end) from a corrupted one (a
 * checksum mismatch in a file of the right length) before either is trusted.
 */
final class Layout {

  /** Returned when a file's sizes cannot be followed: the checksum decides what is wrong. */
  static final long UNKNOWN = -1;

  private Layout() {}

  /**
   * The length a version-1 checkpoint announces for itself, checksum included; {@link
   * Long#MAX_VALUE} if it ends before its sizes are all read; {@link #UNKNOWN} for another
   * version or sizes that make no sense.
   */
  static long length(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      in.position(8);
      if (in.getInt() != 1) {
        return UNKNOWN;
      }
      skipText(in); // model name
      skipText(in); // fingerprint
      int valueSize = text(in).equals("DOUBLE") ? 8 : 4;
      int parameters = in.getInt();
      if (parameters < 0) {
        return UNKNOWN;
      }
      for (int i = 0; i < parameters; i++) {
        skipText(in); // layer
        skipText(in); // parameter
        int rank = in.getInt();
        if (rank < 0) {
          return UNKNOWN;
        }
        skip(in, 8L * rank);
      }
      skipArray(in, valueSize);
      skipText(in); // updater name
      skip(in, 8 + 8); // iterations, learning rate
      int states = in.getInt();
      if (states < 0) {
        return UNKNOWN;
      }
      for (int i = 0; i < states; i++) {
        skipArray(in, valueSize);
      }
      return in.position() + 8L; // the checksum
    } catch (BufferUnderflowException e) {
      return Long.MAX_VALUE;
    } catch (ArithmeticException e) {
      return UNKNOWN;
    }
  }

  private static void skipArray(ByteBuffer in, int valueSize) {
    long count = in.getLong();
    if (count < 0) {
      throw new ArithmeticException("negative length");
    }
    skip(in, Math.multiplyExact(count, valueSize));
  }

  /** Java's modified UTF-8 as {@code DataOutputStream.writeUTF} writes it: a length, then bytes. */
  private static void skipText(ByteBuffer in) {
    skip(in, Short.toUnsignedInt(in.getShort()));
  }

  private static String text(ByteBuffer in) {
    byte[] bytes = new byte[Short.toUnsignedInt(in.getShort())];
    in.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Moves past {@code count} bytes; fails with an underflow if the file ends first. */
  private static void skip(ByteBuffer in, long count) {
    if (count > in.remaining()) {
      throw new BufferUnderflowException();
    }
    in.position(in.position() + (int) count);
  }
}
