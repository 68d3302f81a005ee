package dev.kiln.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {

  @TempDir Path directory;

  /** Unsigned bytes across the whole range, 0 to 255. */
  private static final byte[] VALUES = {
    0,
    1,
    127,
    (byte) 128,
    (byte) 200,
    (byte) 255,
    42,
    7,
    9,
    10,
    11,
    12,
    13,
    14,
    15,
    16,
    17,
    18,
    19,
    20,
    21,
    22,
    23,
    24
  };

  @Test
  void writeGzippedThenReadRestoresShapeAndValues() throws IOException {
    Path file = directory.resolve("round-trip.gz");
    Idx.writeGzipped(new Idx.Contents(new int[] {3, 2, 4}, VALUES), file);

    byte[] raw = Files.readAllBytes(file);
    assertEquals(0x1f, raw[0] & 0xff, "gzip header");
    assertEquals(0x8b, raw[1] & 0xff, "gzip header");
    Idx.Contents read = Idx.read(file);
    assertArrayEquals(new int[] {3, 2, 4}, read.shape());
    assertArrayEquals(VALUES, read.values());
    assertEquals(3, read.count());
  }

  @Test
  void readsAPlainFileInTheIdxLayout() throws IOException {
    Path file = directory.resolve("plain");
    Files.write(file, plainIdx(0x00000802, new int[] {4, 6}, VALUES));

    Idx.Contents read = Idx.read(file);
    assertArrayEquals(new int[] {4, 6}, read.shape());
    assertArrayEquals(VALUES, read.values());
  }

  @Test
  void readsAPlainStreamNamedBySource() throws IOException {
    byte[] values = Arrays.copyOf(VALUES, 5);
    Idx.Contents read =
        Idx.read(new ByteArrayInputStream(plainIdx(0x00000801, new int[] {5}, values)), "stream");
    assertArrayEquals(new int[] {5}, read.shape());
    assertArrayEquals(values, read.values());
  }

  @Test
  void fileCutInItsDataIsReportedAsTruncated() throws IOException {
    Path file = directory.resolve("cut-data");
    byte[] whole = plainIdx(0x00000802, new int[] {4, 6}, VALUES);
    Files.write(file, Arrays.copyOf(whole, whole.length - 5));
    assertTruncated(file);
  }

  @Test
  void gzippedFileCutInHalfIsReportedAsTruncated() throws IOException {
    Path whole = directory.resolve("whole.gz");
    byte[] many = new byte[5000];
    for (int i = 0; i < many.length; i++) {
      many[i] = (byte) (i * 31 + i / 7);
    }
    Idx.writeGzipped(new Idx.Contents(new int[] {50, 100}, many), whole);
    byte[] gzipped = Files.readAllBytes(whole);
    Path file = directory.resolve("cut.gz");
    Files.write(file, Arrays.copyOf(gzipped, gzipped.length / 2));
    assertTruncated(file);
  }

  @Test
  void fileCutInItsHeaderIsReportedAsTruncated() throws IOException {
    Path file = directory.resolve("cut-header");
    byte[] whole = plainIdx(0x00000803, new int[] {2, 3, 4}, VALUES);
    Files.write(file, Arrays.copyOf(whole, 10));
    assertTruncated(file);
  }

  @Test
  void emptyFileIsReportedAsTruncated() throws IOException {
    Path file = directory.resolve("empty");
    Files.write(file, new byte[0]);
    assertTruncated(file);
  }

  @Test
  void wrongMagicNumberIsReportedAsNotAnIdxFileOfUnsignedBytes() throws IOException {
    // Floats (type 0x0D), rank 0, rank 5, and a text file.
    byte[][] contents = {
      plainIdx(0x00000D02, new int[] {2, 3}, new byte[24]),
      plainIdx(0x00000800, new int[] {}, new byte[1]),
      plainIdx(0x00000805, new int[] {1, 1, 1, 1, 1}, new byte[1]),
      "hello, world\n".getBytes(StandardCharsets.US_ASCII)
    };
    for (int i = 0; i < contents.length; i++) {
      Path file = directory.resolve("wrong-magic-" + i);
      Files.write(file, contents[i]);
      IOException e = assertThrows(IOException.class, () -> Idx.read(file), "case " + i);
      assertTrue(
          e.getMessage() != null
              && e.getMessage().contains(file.toString())
              && e.getMessage().contains("not an IDX file"),
          "case " + i + ": " + e.getMessage());
    }
  }

  @Test
  void negativeSizeOnAnyAxisIsRejected() throws IOException {
    int[][] shapes = {{-1}, {2, -3}, {2, -1, -1}};
    for (int[] shape : shapes) {
      Path file = directory.resolve("negative" + Arrays.toString(shape));
      Files.write(file, plainIdx(0x00000800 | shape.length, shape, new byte[8]));
      IOException e =
          assertThrows(
              IOException.class,
              () -> Idx.read(file),
              "sizes "
                  + Arrays.toString(shape)
                  + " were accepted: the check looks only at the first size and the product, and"
                  + " two negative sizes multiply to a positive one");
      assertTrue(e.getMessage().contains("impossible size"), e.getMessage());
    }
  }

  private static void assertTruncated(Path file) {
    IOException e = assertThrows(IOException.class, () -> Idx.read(file));
    assertTrue(
        e.getMessage() != null
            && e.getMessage().contains("truncated")
            && e.getMessage().contains(file.toString()),
        "expected a message naming "
            + file
            + " as truncated, got "
            + e
            + (e instanceof EOFException && e.getMessage() == null
                ? " (a bare EOFException from DataInputStream.readInt: Idx.read wraps only the "
                    + "read of the values, not that of the magic number and sizes)"
                : ""));
  }

  /** The IDX layout: big-endian magic, the sizes, then the bytes. */
  static byte[] plainIdx(int magic, int[] shape, byte[] values) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(magic);
    for (int size : shape) {
      out.writeInt(size);
    }
    out.write(values);
    out.flush();
    return bytes.toByteArray();
  }
}
