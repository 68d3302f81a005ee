package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.testing.PlainArrays.assertAllClose;
import static dev.kiln.runtime.testing.PlainArrays.values;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Bound matrix products against ND4J's gemm, also after their arrays change and are evicted. */
class MatmulTest {

  private static final double TOLERANCE = 1e-12;

  @ParameterizedTest
  @CsvSource({"false, false", "true, false", "false, true", "true, true"})
  void productsFollowTheTransposesAndSeeNewContents(boolean transposeA, boolean transposeB) {
    INDArray a = RandomArrays.uniform(1, transposeA ? 3 : 5, transposeA ? 5 : 3);
    INDArray b = RandomArrays.uniform(2, transposeB ? 4 : 3, transposeB ? 3 : 4);
    INDArray c = NdArrays.zeros(DataType.DOUBLE, 5, 4);
    for (int round = 0; round < 3; round++) {
      a.assign(RandomArrays.uniform(10 + round, a.shape()));
      b.assign(RandomArrays.uniform(20 + round, b.shape()));
      Matmul.rows(a, b, c, transposeA, transposeB);
      INDArray expected = Nd4j.gemm(a, b, transposeA, transposeB);
      assertAllClose(values(expected), c, TOLERANCE, "round " + round);
    }
  }

  @Test
  void higherRankArraysAreRowsOfTheirLastAxis() {
    INDArray x = RandomArrays.uniform(3, 2, 3, 4);
    INDArray kernel = RandomArrays.uniform(4, 4, 5);
    INDArray out = NdArrays.zeros(DataType.DOUBLE, 2, 3, 5);
    for (int round = 0; round < 2; round++) {
      x.assign(RandomArrays.uniform(30 + round, 2, 3, 4));
      Matmul.rows(x, kernel, out, false, false);
      INDArray expected = x.reshape(6, 4).mmul(kernel);
      assertAllClose(values(expected), out, TOLERANCE, "round " + round);
    }
  }

  @Test
  void higherRankViewsThatAreNotContiguousAreReadAfresh() {
    // Their rows are a copy: a context bound to it would miss later changes.
    INDArray whole = RandomArrays.uniform(8, 2, 5, 4);
    INDArray x = whole.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 4), NDArrayIndex.all());
    INDArray kernel = RandomArrays.uniform(9, 4, 5);
    INDArray out = NdArrays.zeros(DataType.DOUBLE, 2, 3, 5);
    for (int round = 0; round < 2; round++) {
      whole.assign(RandomArrays.uniform(40 + round, 2, 5, 4));
      Matmul.rows(x, kernel, out, false, false);
      INDArray expected = x.dup('c').reshape(6, 4).mmul(kernel);
      assertAllClose(values(expected), out, TOLERANCE, "round " + round);
    }
  }

  @Test
  void productsPushedOutByManyOthersAreBoundAgain() {
    INDArray a = RandomArrays.uniform(5, 2, 3);
    INDArray[] bs = new INDArray[Matmul.CAPACITY + 5];
    INDArray[] cs = new INDArray[bs.length];
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < bs.length; i++) {
        if (round == 0) {
          bs[i] = RandomArrays.uniform(100 + i, 3, 2);
          cs[i] = NdArrays.zeros(DataType.DOUBLE, 2, 2);
        }
        cs[i].assign(0);
        Matmul.rows(a, bs[i], cs[i], false, false);
        assertAllClose(values(a.mmul(bs[i])), cs[i], TOLERANCE, "round " + round + " product " + i);
      }
    }
  }

  @Test
  void float32ProductsMatchGemm() {
    INDArray a = RandomArrays.uniform(6, 64, 30).castTo(DataType.FLOAT);
    INDArray b = RandomArrays.uniform(7, 30, 20).castTo(DataType.FLOAT);
    INDArray c = NdArrays.zeros(DataType.FLOAT, 64, 20);
    Matmul.rows(a, b, c, false, false);
    assertAllClose(values(a.mmul(b)), c, 1e-5, "float32");
  }
}
