package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.testing.PlainArrays.assertAllClose;
import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.EnumSource.Mode;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BiasAdd;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;

/** The Java loops give what the libnd4j ops they stand in for give, edge values included. */
class JavaLoopsTest {

  @ParameterizedTest
  @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"}, mode = Mode.INCLUDE)
  void reluAndItsBackwardMatchLibnd4j(DataType type) {
    INDArray x = withEdgeValues(RandomArrays.uniform(1, 6, 7).castTo(type));
    INDArray expected = x.dup();
    Nd4j.exec(new RectifiedLinear(expected, expected, 0.0));
    INDArray actual = x.dup();
    JavaLoops.relu(actual);
    assertArrayEquals(values(expected), values(actual), "relu");

    INDArray dy = RandomArrays.uniform(2, 6, 7).castTo(type);
    INDArray expectedDx = dy.dup();
    Nd4j.exec(DynamicCustomOp.builder("relu_bp").addInputs(actual, expectedDx)
        .addOutputs(expectedDx).addFloatingPointArguments(0.0).build());
    INDArray dx = dy.dup();
    JavaLoops.reluBackward(actual, dx);
    assertArrayEquals(values(expectedDx), values(dx), "relu backward");
  }

  @ParameterizedTest
  @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"}, mode = Mode.INCLUDE)
  void biasAndRowSumsMatchLibnd4jOnViews(DataType type) {
    INDArray flat = RandomArrays.uniform(3, 100).castTo(type);
    INDArray rows = NdArrays.view(flat, 11, 8, 5);
    INDArray bias = NdArrays.view(flat, 60, 5);
    INDArray expected = rows.dup();
    Nd4j.exec(new BiasAdd(expected, bias, expected, false));
    INDArray before = flat.dup();
    JavaLoops.addBias(rows, bias);
    double tolerance = type == DataType.FLOAT ? 1e-6 : 1e-15;
    assertAllClose(values(expected), rows, tolerance, "bias add");
    assertAllClose(values(before.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(51, 100))),
        flat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(51, 100)), 0, "after the view");

    INDArray sums = NdArrays.zeros(type, 5);
    JavaLoops.sumRows(rows, sums);
    assertAllClose(values(rows.sum(0)), sums, tolerance * 10, "row sums");
  }

  @ParameterizedTest
  @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"}, mode = Mode.INCLUDE)
  void softmaxMatchesLibnd4jAlsoInPlaceAndForLargeScores(DataType type) {
    INDArray z = RandomArrays.uniform(4, 3, 5, 6).muli(4).castTo(type);
    z.putScalar(0, 1e4); // would overflow without subtracting the maximum
    INDArray expected = z.ulike();
    Nd4j.exec(new SoftMax(z, expected, 2));
    INDArray y = z.ulike();
    JavaLoops.softmax(z, y);
    double tolerance = type == DataType.FLOAT ? 1e-6 : 1e-15;
    assertAllClose(values(expected), y, tolerance, "softmax");
    JavaLoops.softmax(z, z);
    assertAllClose(values(expected), z, tolerance, "softmax in place");
  }

  @Test
  void sumsMatchLibnd4jOnEitherSideOfTheSizeLimit() {
    INDArray small = RandomArrays.uniform(5, 7, 9);
    assertEquals(small.sumNumber().doubleValue(), JavaLoops.sum(small), 1e-12);
    assertEquals(small.sumNumber().doubleValue(), Reductions.sum(small), 1e-12);
    INDArray large = RandomArrays.uniform(6, JavaLoops.MAX_LENGTH + 3);
    assertEquals(JavaLoops.sum(large), Reductions.sum(large), 1e-9);
  }

  @ParameterizedTest
  @ValueSource(ints = {FloatLoops.CHUNK - 1, FloatLoops.CHUNK + 7, 3 * FloatLoops.CHUNK})
  void floatLoopsOverSeveralChunksAndWideRowsMatchLibnd4j(int units) {
    // Rows wider than a chunk, and arrays of several chunks ending in a partial one.
    INDArray flat = RandomArrays.uniform(8, 5 * units + units + 3).subi(0.5).castTo(DataType.FLOAT);
    INDArray rows = NdArrays.view(flat, 3, 5, units);
    INDArray bias = NdArrays.view(flat, 3 + 5L * units, units);
    INDArray expected = rows.dup();
    Nd4j.exec(new BiasAdd(expected, bias, expected, false));
    JavaLoops.addBias(rows, bias);
    assertAllClose(values(expected), rows, 1e-6, "bias add");
    INDArray sums = NdArrays.zeros(DataType.FLOAT, units);
    JavaLoops.sumRows(rows, sums);
    assertAllClose(values(rows.sum(0)), sums, 1e-5, "row sums");

    INDArray expectedRelu = rows.dup();
    Nd4j.exec(new RectifiedLinear(expectedRelu, expectedRelu, 0.0));
    JavaLoops.relu(rows);
    assertArrayEquals(values(expectedRelu), values(rows), "relu");
    INDArray dy = RandomArrays.uniform(9, 5, units).castTo(DataType.FLOAT);
    INDArray expectedDx = dy.dup();
    Nd4j.exec(DynamicCustomOp.builder("relu_bp").addInputs(rows, expectedDx)
        .addOutputs(expectedDx).addFloatingPointArguments(0.0).build());
    JavaLoops.reluBackward(rows, dy);
    assertArrayEquals(values(expectedDx), values(dy), "relu backward");

    assertTrue(JavaLoops.allFinite(rows));
    rows.putScalar(5L * units - 1, Float.NaN);
    assertFalse(JavaLoops.allFinite(rows), "NaN in the last chunk's last value");
  }

  @ParameterizedTest
  @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"}, mode = Mode.INCLUDE)
  void allFiniteFindsEachKindOfNonFiniteValueAnywhere(DataType type) {
    INDArray x = RandomArrays.uniform(7, 9, 11).subi(0.5).muli(1e30).castTo(type);
    x.putScalar(3, type == DataType.FLOAT ? Float.MAX_VALUE : Double.MAX_VALUE);
    x.putScalar(4, -0.0);
    assertTrue(JavaLoops.allFinite(x), "finite values, the largest included");
    for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      for (long at : new long[] {0, 50, x.length() - 1}) {
        INDArray withBad = x.dup();
        withBad.putScalar(at, bad);
        assertFalse(JavaLoops.allFinite(withBad), bad + " at " + at);
      }
    }
  }

  @Test
  void largeOrStridedArraysGoToLibnd4j() {
    assertTrue(JavaLoops.suit(NdArrays.zeros(DataType.FLOAT, 64, 512)));
    assertFalse(JavaLoops.suit(NdArrays.zeros(DataType.FLOAT, JavaLoops.MAX_LENGTH + 1)));
    assertFalse(JavaLoops.suit(NdArrays.zeros(DataType.FLOAT, 6, 4).transpose()));
  }

  private static INDArray withEdgeValues(INDArray x) {
    x.putScalar(0, Double.NaN);
    x.putScalar(1, -0.0);
    x.putScalar(2, 0.0);
    x.putScalar(3, Double.POSITIVE_INFINITY);
    x.putScalar(4, Double.NEGATIVE_INFINITY);
    return x;
  }
}
