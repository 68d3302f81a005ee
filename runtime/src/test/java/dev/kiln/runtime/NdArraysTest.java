package dev.kiln.runtime;

import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

class NdArraysTest {

  @Test
  void viewReadsAndWritesConsecutiveRowMajorEntriesOfTheFlatBuffer() {
    INDArray flat = NdArrays.zeros(DataType.DOUBLE, 12);
    for (int i = 0; i < 12; i++) {
      flat.putScalar(i, i);
    }
    INDArray view = NdArrays.view(flat, 3, 2, 3);
    assertArrayEquals(new long[] {2, 3}, view.shape());
    assertEquals(5.0, view.getDouble(0, 2));
    assertEquals(6.0, view.getDouble(1, 0));
    view.putScalar(new long[] {1, 1}, -1.0);
    view.muli(10);
    double[] expected = {0, 1, 2, 30, 40, 50, 60, -10, 80, 9, 10, 11};
    assertArrayEquals(expected, values(flat));
  }

  @Test
  void reshapedSharesTheMemoryOfAViewInTheArena() {
    INDArray arena = NdArrays.zeros(DataType.DOUBLE, 20);
    INDArray images = NdArrays.view(arena, 4, 2, 2, 2, 1);
    INDArray rows = NdArrays.reshaped(images, 2, 4);
    assertArrayEquals(new long[] {2, 4}, rows.shape());
    images.putScalar(new long[] {1, 0, 1, 0}, 7.0);
    assertEquals(7.0, rows.getDouble(1, 1));
    rows.putScalar(new long[] {0, 3}, -2.0);
    assertEquals(-2.0, arena.getDouble(7));
  }

  @Test
  void reshapedRefusesALengthOrLayoutThatNeedsACopy() {
    INDArray matrix = NdArrays.zeros(DataType.FLOAT, 3, 4);
    IllegalArgumentException length =
        assertThrows(IllegalArgumentException.class, () -> NdArrays.reshaped(matrix, 5, 2));
    assertTrue(length.getMessage().contains("[5, 2]"), length.getMessage());
    assertThrows(IllegalArgumentException.class, () -> NdArrays.reshaped(matrix.transpose(), 12));
  }

  @Test
  void copyIsIndependentAndConvertsType() {
    INDArray source = RandomArrays.uniform(1, 2, 3);
    INDArray copy = NdArrays.copy(source);
    INDArray floats = NdArrays.copy(source, DataType.FLOAT);
    double[] before = values(source);
    copy.addi(1);
    floats.addi(1);
    assertArrayEquals(before, values(source));
    assertEquals(DataType.FLOAT, floats.dataType());
    assertArrayEquals(new long[] {2, 3}, floats.shape());
    for (int i = 0; i < before.length; i++) {
      assertEquals((float) before[i] + 1f, (float) values(floats)[i], "entry " + i);
    }
  }

  @Test
  void copyOfAViewAtAnOffsetHoldsItsValuesAlone() {
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE, DataType.INT32}) {
      INDArray flat = RandomArrays.uniform(3, 40).muli(100).castTo(type);
      INDArray view = NdArrays.view(flat, 7, 4, 5); // as a model's output buffer in its arena
      double[] expected = values(view);

      INDArray copy = NdArrays.copy(view);
      flat.assign(0);

      assertEquals(type, copy.dataType());
      assertArrayEquals(new long[] {4, 5}, copy.shape());
      assertArrayEquals(expected, values(copy), 0, type + ": the view's values, not its neighbours'");
    }
  }

  @Test
  void copyOfRowsOfAMatrixHoldsThoseRows() {
    INDArray matrix = RandomArrays.uniform(6, 6, 5).castTo(DataType.FLOAT);
    INDArray rows = matrix.get(NDArrayIndex.interval(2, 5), NDArrayIndex.all());
    double[] expected = values(rows);

    INDArray copy = NdArrays.copy(rows);
    matrix.assign(0);

    assertArrayEquals(expected, values(copy), 0);
  }

  @Test
  void copyOfAStridedViewTakesEachValue() {
    INDArray matrix = RandomArrays.uniform(4, 6, 5).castTo(DataType.FLOAT);
    INDArray columns = matrix.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 3));
    double[] expected = values(columns);

    INDArray copy = NdArrays.copy(columns);
    matrix.assign(0);

    assertArrayEquals(expected, values(copy), 0);
  }

  @Test
  void createdCountsNewArraysButNotViews() {
    long before = NdArrays.created();
    INDArray flat = NdArrays.zeros(DataType.FLOAT, 10);
    NdArrays.copy(flat);
    NdArrays.view(flat, 2, 2, 2);
    assertEquals(before + 2, NdArrays.created());
  }
}
