package dev.kiln.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.optim.Sgd;
import dev.kiln.runtime.optim.Updater;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The format's 64-bit sizes and positions, on a checkpoint of 2.16 GB whose values are a hole in
 * a sparse file (no disk space, no memory for the values): the structure, checksum and
 * architecture checks walk past 2^31 bytes, and the values are found where they are.
 */
class CheckpointOffsetsTest {

  /** Float64 values: 2.16 GB, just past what an int can count in bytes (2^31). */
  private static final long N = 270_000_000L;

  @TempDir Path directory;

  @Test
  void fileOver2GibibytesIsCheckedWholeAndItsValuesFound() throws IOException {
    Path file = directory.resolve("sparse.kiln");
    long headerLength = writeSparse(file, 0);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      assertTrue(channel.size() > (2L << 30), "size " + channel.size());
      assertEquals(channel.size(), Layout.length(new ChannelInput(channel, 0, channel.size())));
      Checkpoint.Contents contents =
          Checkpoint.check(channel, file.toString(), CheckpointFiles.spec(N), N, sgd());
      assertEquals(headerLength, contents.parametersAt());
      assertEquals(DataType.DOUBLE, contents.dataType());
      assertEquals(7, contents.iterations());
    }
  }

  @Test
  void fileOver2GibibytesCutShortIsTruncated() throws IOException {
    Path file = directory.resolve("sparse.kiln");
    writeSparse(file, 1);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      assertEquals(channel.size() + 1, Layout.length(new ChannelInput(channel, 0, channel.size())));
      CheckpointException e = assertThrows(CheckpointException.class, () ->
          Checkpoint.check(channel, file.toString(), CheckpointFiles.spec(N), N, sgd()));
      assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }
  }

  private static Updater sgd() {
    Updater sgd = new Sgd(0.01);
    sgd.attach(N, DataType.DOUBLE); // plain SGD keeps no state: nothing is allocated
    return sgd;
  }

  /**
   * Writes a float64 checkpoint of {@link #N} zero parameters, the zeros a hole, less its last
   * {@code cut} bytes; returns the position of the first value.
   */
  private static long writeSparse(Path file, int cut) throws IOException {
    ByteArrayOutputStream headerBytes = new ByteArrayOutputStream();
    DataOutputStream header = new DataOutputStream(headerBytes);
    header.write(new byte[] {'K', 'I', 'L', 'N', 'C', 'K', 'P', 'T'});
    header.writeInt(1);
    header.writeUTF("Big");
    header.writeUTF("fingerprint");
    header.writeUTF("DOUBLE");
    header.writeInt(1);
    header.writeUTF("dense");
    header.writeUTF("kernel");
    header.writeInt(2);
    header.writeLong(1);
    header.writeLong(N);
    header.writeLong(N);
    ByteArrayOutputStream tailBytes = new ByteArrayOutputStream();
    DataOutputStream tail = new DataOutputStream(tailBytes);
    tail.writeUTF("sgd");
    tail.writeLong(7);
    tail.writeDouble(0.01);
    tail.writeInt(0);

    CRC32 crc = new CRC32();
    if (cut == 0) { // a cut file is found truncated before its checksum is read
      crc.update(headerBytes.toByteArray());
      ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
      for (long left = N * 8; left > 0; left -= zeros.capacity()) {
        crc.update(zeros.clear().limit((int) Math.min(zeros.capacity(), left)));
      }
      crc.update(tailBytes.toByteArray());
    }
    tail.writeLong(crc.getValue());

    try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
      out.write(headerBytes.toByteArray());
      out.seek(headerBytes.size() + N * 8);
      byte[] end = tailBytes.toByteArray();
      out.write(end, 0, end.length - cut);
    }
    return headerBytes.size();
  }
}
