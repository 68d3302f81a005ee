package dev.kiln.runtime.data;

import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Loading tiny handmade Fashion-MNIST files: three training and two test images. */
class FashionMnistTest {

  private static final int PIXELS = 28 * 28;

  /** One float32 step near 1: the precision of pixel / 255 stored as float. */
  private static final double FLOAT_PRECISION = Math.ulp(1f);

  @TempDir Path directory;

  private final byte[] trainPixels = pixels(1, 3);
  private final byte[] testPixels = pixels(2, 2);
  private final byte[] trainLabels = {9, 0, 4};
  private final byte[] testLabels = {7, 3};

  @Test
  void loadsGzippedAndPlainFilesScalingPixelsToUnitRange() throws IOException {
    writeAll();
    FashionMnist.Dataset data = FashionMnist.load(directory);

    checkImages(data.train().images(), trainPixels, 3);
    checkImages(data.test().images(), testPixels, 2);
  }

  @Test
  void labelsAreIntegerClassIndices() throws IOException {
    writeAll();
    FashionMnist.Dataset data = FashionMnist.load(directory);

    assertTrue(
        data.train().labels().dataType().isIntType(), "type " + data.train().labels().dataType());
    assertArrayEquals(new long[] {3}, data.train().labels().shape());
    assertArrayEquals(new int[] {9, 0, 4}, data.train().labels().toIntVector());
    assertArrayEquals(new int[] {7, 3}, data.test().labels().toIntVector());
    assertEquals(3, data.train().size());
    assertEquals(2, data.test().size());
  }

  @Test
  void oneHotLabelsHaveTenColumnsWithOneAtTheLabel() throws IOException {
    writeAll();
    INDArray oneHot = FashionMnist.load(directory).train().oneHotLabels();

    assertArrayEquals(new long[] {3, 10}, oneHot.shape());
    double[] expected = new double[30];
    for (int i = 0; i < 3; i++) {
      expected[i * 10 + trainLabels[i]] = 1;
    }
    assertArrayEquals(expected, values(oneHot));
  }

  @Test
  void flatImagesAreRowsOf784InPixelOrder() throws IOException {
    writeAll();
    FashionMnist.Split train = FashionMnist.load(directory).train();

    assertArrayEquals(new long[] {3, PIXELS}, train.flatImages().shape());
    assertArrayEquals(values(train.images()), values(train.flatImages()));
  }

  @Test
  void headKeepsTheFirstSamples() throws IOException {
    writeAll();
    FashionMnist.Split head = FashionMnist.load(directory).train().head(2);

    assertEquals(2, head.size());
    assertArrayEquals(new int[] {9, 0}, head.labels().toIntVector());
    checkImages(head.images(), Arrays.copyOf(trainPixels, 2 * PIXELS), 2);
  }

  @Test
  void mismatchedImageAndLabelCountsAreAnError() throws IOException {
    writeAll();
    Idx.writeGzipped(
        new Idx.Contents(new int[] {2}, new byte[] {1, 2}),
        directory.resolve("train-labels-idx1-ubyte.gz"));
    IOException e = assertThrows(IOException.class, () -> FashionMnist.load(directory));
    assertTrue(
        e.getMessage().contains("3 images") && e.getMessage().contains("[2]"), e.getMessage());
  }

  @Test
  void labelsOutsideZeroToNineAreAnError() throws IOException {
    writeAll();
    Files.write(
        directory.resolve("t10k-labels-idx1-ubyte"),
        IdxTest.plainIdx(0x00000801, new int[] {2}, new byte[] {3, 10}));
    Files.delete(directory.resolve("t10k-labels-idx1-ubyte.gz"));
    IOException e = assertThrows(IOException.class, () -> FashionMnist.load(directory));
    assertTrue(e.getMessage().contains("label 10"), e.getMessage());
  }

  @Test
  void imagesThatAreNot28By28AreAnError() throws IOException {
    writeAll();
    Idx.writeGzipped(
        new Idx.Contents(new int[] {3, 28, 27}, new byte[3 * 28 * 27]),
        directory.resolve("train-images-idx3-ubyte.gz"));
    IOException e = assertThrows(IOException.class, () -> FashionMnist.load(directory));
    assertTrue(e.getMessage().contains("[3, 28, 27]"), e.getMessage());
  }

  @Test
  void missingFileIsNamedInTheError() throws IOException {
    writeAll();
    Files.delete(directory.resolve("t10k-images-idx3-ubyte"));
    assertFalse(FashionMnist.isPresent(directory));
    IOException e = assertThrows(IOException.class, () -> FashionMnist.load(directory));
    assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte"), e.getMessage());
  }

  @Test
  void isPresentAcceptsGzippedAndPlainNames() throws IOException {
    assertFalse(FashionMnist.isPresent(directory));
    writeAll();
    assertTrue(FashionMnist.isPresent(directory));
  }

  /** Training images and test labels gzipped, the other two plain. */
  private void writeAll() throws IOException {
    Idx.writeGzipped(
        new Idx.Contents(new int[] {3, 28, 28}, trainPixels),
        directory.resolve("train-images-idx3-ubyte.gz"));
    Files.write(
        directory.resolve("train-labels-idx1-ubyte"),
        IdxTest.plainIdx(0x00000801, new int[] {3}, trainLabels));
    Files.write(
        directory.resolve("t10k-images-idx3-ubyte"),
        IdxTest.plainIdx(0x00000803, new int[] {2, 28, 28}, testPixels));
    Idx.writeGzipped(
        new Idx.Contents(new int[] {2}, testLabels),
        directory.resolve("t10k-labels-idx1-ubyte.gz"));
  }

  private static void checkImages(INDArray images, byte[] pixels, int count) {
    assertArrayEquals(new long[] {count, 28, 28}, images.shape());
    assertEquals(DataType.FLOAT, images.dataType());
    double[] actual = values(images);
    for (int i = 0; i < pixels.length; i++) {
      double expected = (pixels[i] & 0xff) / 255.0;
      assertEquals(
          expected,
          actual[i],
          FLOAT_PRECISION,
          "pixel " + i + " (byte " + (pixels[i] & 0xff) + ")");
    }
  }

  /** Random pixels with black and white among them. */
  private static byte[] pixels(long seed, int images) {
    SplittableRandom random = new SplittableRandom(seed);
    byte[] pixels = new byte[images * PIXELS];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) random.nextInt(256);
    }
    pixels[0] = 0;
    pixels[1] = (byte) 255;
    return pixels;
  }
}
