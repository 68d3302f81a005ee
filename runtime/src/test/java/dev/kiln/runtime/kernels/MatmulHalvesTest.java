package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.testing.PlainArrays.assertAllClose;
import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.NdArrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Float32 products large enough to run as two halves of their rows (caller and helper thread)
 * against ND4J's gemm of the whole: odd row counts, a transposed right operand, accumulation,
 * rows of a rank-3 array, and new contents in the same arrays.
 */
class MatmulHalvesTest {

  /** Float32 sums of 300 products of values in [0, 1): a few ulps of about 75. */
  private static final double TOLERANCE = 1e-4;

  @ParameterizedTest
  @CsvSource({"65, false, false", "64, true, false", "131, false, true", "2, false, false"})
  void halvesMatchTheWholeProduct(int rows, boolean transposeB, boolean accumulate) {
    int inner = 300;
    int columns = Math.toIntExact(Math.max(8, Matmul.HALVES_WORK / ((long) rows * inner) + 1));
    assertTrue((long) rows * inner * columns >= Matmul.HALVES_WORK, "the product runs in halves");
    INDArray a = Nd4j.rand(DataType.FLOAT, rows, inner);
    INDArray b = transposeB
        ? Nd4j.rand(DataType.FLOAT, columns, inner) : Nd4j.rand(DataType.FLOAT, inner, columns);
    INDArray c = Nd4j.rand(DataType.FLOAT, rows, columns);
    for (int round = 0; round < 3; round++) {
      a.assign(Nd4j.rand(DataType.FLOAT, rows, inner));
      INDArray before = c.dup();
      Matmul.rows(a, b, c, false, transposeB, accumulate);
      INDArray expected = Nd4j.gemm(a, b, false, transposeB);
      if (accumulate) {
        expected.addi(before);
      }
      assertAllClose(values(expected), c, TOLERANCE, "round " + round);
    }
  }

  @ParameterizedTest
  @CsvSource({"3, 97", "8, 64"})
  void rowsOfARankThreeArrayRunInHalves(int samples, int steps) {
    INDArray x = Nd4j.rand(DataType.FLOAT, samples, steps, 256);
    INDArray kernel = Nd4j.rand(DataType.FLOAT, 256, 128);
    INDArray out = NdArrays.zeros(DataType.FLOAT, samples, steps, 128);
    assertTrue((long) samples * steps * 256 * 128 >= Matmul.HALVES_WORK);
    Matmul.rows(x, kernel, out, false, false);
    INDArray expected = x.reshape(samples * steps, 256).mmul(kernel);
    assertAllClose(values(expected), out.reshape(samples * steps, 128), TOLERANCE, "rows");
  }
}
