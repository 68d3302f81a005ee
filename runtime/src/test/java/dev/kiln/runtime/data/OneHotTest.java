package dev.kiln.runtime.data;

import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class OneHotTest {

  private static final int[] LABELS = {2, 0, 3, 3, 1};

  @Test
  void encodesIntIndicesAsFloatRowsWithOneAtTheIndex() {
    INDArray encoded = OneHot.encode(Nd4j.createFromArray(LABELS), 4);
    assertEquals(DataType.FLOAT, encoded.dataType());
    assertArrayEquals(new long[] {5, 4}, encoded.shape());
    assertArrayEquals(expected(4), values(encoded));
  }

  @Test
  void acceptsColumnShapedAndFloatIndices() {
    INDArray ints = Nd4j.createFromArray(LABELS);
    INDArray[] variants = {
      ints.reshape(5, 1), ints.castTo(DataType.FLOAT), ints.castTo(DataType.DOUBLE).reshape(5, 1)
    };
    for (INDArray indices : variants) {
      String what = indices.dataType() + " " + Arrays.toString(indices.shape());
      INDArray encoded = OneHot.encode(indices, 4);
      assertArrayEquals(new long[] {5, 4}, encoded.shape(), what);
      assertArrayEquals(expected(4), values(encoded), what);
    }
  }

  @Test
  void classesBeyondTheLargestIndexAreZeroColumns() {
    assertArrayEquals(expected(6), values(OneHot.encode(Nd4j.createFromArray(LABELS), 6)));
  }

  @Test
  void indexEqualToClassCountIsRejected() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> OneHot.encode(Nd4j.createFromArray(LABELS), 3));
    assertTrue(e.getMessage().contains("[0, 3)"), e.getMessage());
  }

  @Test
  void negativeIndexIsRejected() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> OneHot.encode(Nd4j.createFromArray(new int[] {1, -1, 2}), 3));
    assertTrue(e.getMessage().contains("[0, 3)"), e.getMessage());
  }

  private static double[] expected(int classes) {
    double[] rows = new double[LABELS.length * classes];
    for (int i = 0; i < LABELS.length; i++) {
      rows[i * classes + LABELS[i]] = 1;
    }
    return rows;
  }
}
