package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.testing.PlainArrays.assertAllClose;
import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Products on the calling thread (OpenBLAS) against plain loops in float64: every transpose, views
 * into larger buffers at an offset, column-major and row-strided operands, accumulation, blocks of
 * rows.
 */
class CallerBlasTest {

  @ParameterizedTest
  @CsvSource({
      "false, false, DOUBLE", "true, false, DOUBLE", "false, true, DOUBLE", "true, true, DOUBLE",
      "false, false, FLOAT", "true, false, FLOAT", "false, true, FLOAT", "true, true, FLOAT"})
  void productsOfViewsAtAnOffsetMatchPlainLoops(boolean transposeA, boolean transposeB,
      DataType type) {
    // As a model's kernels are: views of one flat buffer, none at its start.
    INDArray flat = RandomArrays.uniform(1, 200).castTo(type);
    INDArray a = NdArrays.view(flat, 7, transposeA ? 6 : 5, transposeA ? 5 : 6);
    INDArray b = NdArrays.view(flat, 60, transposeB ? 4 : 6, transposeB ? 6 : 4);
    INDArray c = NdArrays.view(NdArrays.zeros(type, 40), 3, 5, 4);
    double[] expected = product(values(a), a.shape(), transposeA, values(b), b.shape(), transposeB);

    for (int round = 0; round < 2; round++) {
      Matmul.rows(a, b, c, transposeA, transposeB);
      assertAllClose(expected, c, tolerance(type), type + " round " + round);
      a.muli(-1); // the bound product must see its arrays' new values
      for (int i = 0; i < expected.length; i++) {
        expected[i] = -expected[i];
      }
    }
  }

  @Test
  void columnMajorAndRowStridedOperandsAreReadInPlace() {
    INDArray whole = RandomArrays.uniform(2, 8, 9);
    // Rows 9 apart in memory.
    INDArray a = whole.get(NDArrayIndex.interval(1, 6), NDArrayIndex.interval(2, 8));
    INDArray b = RandomArrays.uniform(3, 6, 4).dup('f'); // columns adjacent in memory
    INDArray c = NdArrays.zeros(DataType.DOUBLE, 5, 4);
    assertNotNull(CallerBlas.of(a, b, c, false, false, false), "both layouts run on the caller");

    Matmul.rows(a, b, c, false, false);

    double[] expected = product(values(a), a.shape(), false, values(b), b.shape(), false);
    assertAllClose(expected, c, 1e-12, "strided and column-major");
  }

  @Test
  void accumulatingAddsToWhatIsThere() {
    INDArray a = RandomArrays.uniform(4, 3, 5);
    INDArray b = RandomArrays.uniform(5, 5, 2);
    INDArray c = RandomArrays.uniform(6, 3, 2);
    double[] expected = product(values(a), a.shape(), false, values(b), b.shape(), false);
    double[] before = values(c);
    for (int i = 0; i < expected.length; i++) {
      expected[i] += before[i];
    }

    Matmul.rows(a, b, c, false, false, true);

    assertAllClose(expected, c, 1e-12, "accumulated");
  }

  @ParameterizedTest
  @CsvSource({
      "false, false, DOUBLE", "true, false, DOUBLE", "false, true, DOUBLE", "true, true, DOUBLE",
      "false, false, FLOAT", "true, true, FLOAT"})
  void productsInBlocksOfRowsCoverTheWholeResult(boolean transposeA, boolean transposeB,
      DataType type) {
    // The MLP's third layer: blocks of 9 rows (9 x 216 x 128 multiply-adds each), the last of 1.
    INDArray flat = RandomArrays.uniform(11, 64 * 216 + 216 * 128 + 5).castTo(type);
    INDArray a = NdArrays.view(flat, 5, transposeA ? 216 : 64, transposeA ? 64 : 216);
    INDArray b = NdArrays.view(flat, 5 + 64 * 216, transposeB ? 128 : 216, transposeB ? 216 : 128);
    INDArray wide = RandomArrays.uniform(12, 64, 130).castTo(type);
    INDArray c = wide.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 129)); // rows 130 apart
    double[] expected = product(values(a), a.shape(), transposeA, values(b), b.shape(), transposeB);
    double[] before = values(c);
    for (int i = 0; i < expected.length; i++) {
      expected[i] += before[i];
    }
    double[] firstColumn = values(wide.getColumn(0));
    double[] lastColumn = values(wide.getColumn(129));
    assertNotNull(CallerBlas.of(a, b, c, transposeA, transposeB, true));

    Matmul.rows(a, b, c, transposeA, transposeB, true);

    assertAllClose(expected, c, type == DataType.FLOAT ? 1e-4 : 1e-12, type + " in blocks");
    assertAllClose(firstColumn, values(wide.getColumn(0)), 0, "the column before the view");
    assertAllClose(lastColumn, values(wide.getColumn(129)), 0, "the column after the view");
  }

  @Test
  void largerProductsAndOtherTypesStayWithLibnd4j() {
    assertNull(CallerBlas.of(NdArrays.zeros(DataType.FLOAT, 128, 129),
            NdArrays.zeros(DataType.FLOAT, 129, 128), NdArrays.zeros(DataType.FLOAT, 128, 128),
            false, false, false),
        "128 x 129 x 128 multiply-adds is over the limit");
    assertNull(CallerBlas.of(NdArrays.zeros(DataType.FLOAT, 2, 600),
            NdArrays.zeros(DataType.FLOAT, 600, 500), NdArrays.zeros(DataType.FLOAT, 2, 500),
            false, false, false),
        "one row of 600 x 500 is over OpenBLAS's one-thread limit");
    INDArray small = NdArrays.zeros(DataType.HALF, 2, 2);
    assertNull(CallerBlas.of(small, small, NdArrays.zeros(DataType.HALF, 2, 2), false, false,
        false));
    assertNotNull(CallerBlas.of(NdArrays.zeros(DataType.FLOAT, 128, 128),
        NdArrays.zeros(DataType.FLOAT, 128, 128), NdArrays.zeros(DataType.FLOAT, 128, 128), false,
        false, false), "128 x 128 x 128 is at the limit");
  }

  @Test
  void aLargerProductThroughLibnd4jMatchesPlainLoops() {
    INDArray a = RandomArrays.uniform(7, 64, 520).castTo(DataType.FLOAT);
    INDArray b = RandomArrays.uniform(8, 520, 64).castTo(DataType.FLOAT);
    INDArray c = NdArrays.zeros(DataType.FLOAT, 64, 64);
    assertNull(CallerBlas.of(a, b, c, false, false, false));

    Matmul.rows(a, b, c, false, false);

    double[] expected = product(values(a), a.shape(), false, values(b), b.shape(), false);
    assertAllClose(expected, c, 1e-4, "libnd4j");
  }

  @Test
  void mismatchedShapesAreStillRefused() {
    INDArray a = NdArrays.zeros(DataType.FLOAT, 3, 4);
    INDArray b = NdArrays.zeros(DataType.FLOAT, 5, 2);
    INDArray c = NdArrays.zeros(DataType.FLOAT, 3, 2);
    assertNull(CallerBlas.of(a, b, c, false, false, false));
    assertThrows(RuntimeException.class, () -> Matmul.rows(a, b, c, false, false));
  }

  private static double tolerance(DataType type) {
    return type == DataType.FLOAT ? 1e-5 : 1e-12;
  }

  /** {@code op(a) . op(b)} in plain loops, of row-major values. */
  private static double[] product(double[] a, long[] aShape, boolean transposeA, double[] b,
      long[] bShape, boolean transposeB) {
    int m = (int) (transposeA ? aShape[1] : aShape[0]);
    int k = (int) (transposeA ? aShape[0] : aShape[1]);
    int n = (int) (transposeB ? bShape[0] : bShape[1]);
    double[] c = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0;
        for (int p = 0; p < k; p++) {
          double x = transposeA ? a[p * m + i] : a[i * k + p];
          double y = transposeB ? b[j * k + p] : b[p * n + j];
          sum += x * y;
        }
        c[i * n + j] = sum;
      }
    }
    return c;
  }
}
