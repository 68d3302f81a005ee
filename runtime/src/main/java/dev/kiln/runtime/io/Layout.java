package dev.kiln.runtime.io;

import java.io.EOFException;
import java.io.IOException;

/**
 * Walks a checkpoint's structure by the sizes it records, skipping its values unread, to tell a
 * truncated file (its content runs past its end) from a corrupted one (a checksum mismatch in a
 * file of the right length) before either is trusted. Sizes and positions are 64-bit: an array
 * may hold more than 2^31 values.
 */
final class Layout {

  /** Returned when a file's sizes cannot be followed: the checksum decides what is wrong. */
  static final long UNKNOWN = -1;

  private Layout() {}

  /**
   * The length a version-1 checkpoint read by {@code in} (from its first byte) announces for
   * itself, checksum included; {@link Long#MAX_VALUE} if it ends before its sizes are all read;
   * {@link #UNKNOWN} for another version or sizes that make no sense.
   */
  static long length(ChannelInput in) throws IOException {
    try {
      in.skip(8); // magic
      if (in.readInt() != 1) {
        return UNKNOWN;
      }
      skipText(in); // model name
      skipText(in); // fingerprint
      int valueSize = valueSize(in.readUtf());
      int parameters = in.readInt();
      if (parameters < 0 || valueSize < 0) {
        return UNKNOWN;
      }
      for (int i = 0; i < parameters; i++) {
        skipText(in); // layer
        skipText(in); // parameter
        int rank = in.readInt();
        if (rank < 0) {
          return UNKNOWN;
        }
        in.skip(8L * rank);
      }
      skipArray(in, valueSize);
      skipText(in); // updater name
      in.skip(8 + 8); // iterations, learning rate
      int states = in.readInt();
      if (states < 0) {
        return UNKNOWN;
      }
      for (int i = 0; i < states; i++) {
        skipArray(in, valueSize);
      }
      return Math.addExact(in.position(), 8); // the checksum
    } catch (EOFException e) {
      return Long.MAX_VALUE;
    } catch (ArithmeticException e) {
      return UNKNOWN;
    }
  }

  /** The bytes of one value of the data type named {@code name}; -1 for another type. */
  static int valueSize(String name) {
    return switch (name) {
      case "DOUBLE" -> 8;
      case "FLOAT" -> 4;
      default -> -1;
    };
  }

  /** Moves past an array: its 64-bit count of values, then the values. */
  static long skipArray(ChannelInput in, int valueSize) throws IOException {
    long count = in.readLong();
    if (count < 0) {
      throw new ArithmeticException("negative length");
    }
    in.skip(Math.multiplyExact(count, valueSize));
    return count;
  }

  private static void skipText(ChannelInput in) throws IOException {
    in.skip(Short.toUnsignedInt(in.require(2).getShort()));
  }
}
