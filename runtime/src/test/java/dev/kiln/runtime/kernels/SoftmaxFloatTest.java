package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The float32 softmax over the last axis against the same values' float64 softmax: rows shorter
 * than the chunk it reads at a time (the MLP's 64 x 10), rows that do not fill the last chunk, a
 * row longer than the chunk, in place, and on a view into a flat buffer.
 */
class SoftmaxFloatTest {

  @Test
  void float32RowsEqualFloat64ToFloatRounding() {
    check(64, 10);
    check(1000, 7);
    check(3, 5000);
  }

  @Test
  void inPlaceOnAViewOfAFlatBuffer() {
    INDArray flat = RandomArrays.uniform(6, 3 + 4 * 9).muli(20).subi(10).castTo(DataType.FLOAT);
    INDArray view = NdArrays.view(flat, 3, 4, 9);
    double[] expected = reference(values(view), 9);
    double before = flat.getDouble(2);
    Softmax.forward(view, view);
    assertClose(expected, values(view));
    assertEquals(before, flat.getDouble(2), "the entry before the view");
  }

  private static void check(int rows, int classes) {
    INDArray z = RandomArrays.uniform(rows + classes, rows, classes).muli(40).subi(20);
    INDArray floats = z.castTo(DataType.FLOAT);
    INDArray y = NdArrays.zeros(DataType.FLOAT, rows, classes);
    Softmax.forward(floats, y);
    assertClose(reference(values(floats), classes), values(y));
  }

  /** The softmax of each row in float64, from the float32 inputs' values. */
  private static double[] reference(double[] z, int classes) {
    double[] y = new double[z.length];
    for (int start = 0; start < z.length; start += classes) {
      double max = Double.NEGATIVE_INFINITY;
      for (int i = start; i < start + classes; i++) {
        max = Math.max(max, z[i]);
      }
      double sum = 0;
      for (int i = start; i < start + classes; i++) {
        sum += Math.exp(z[i] - max);
      }
      for (int i = start; i < start + classes; i++) {
        y[i] = Math.exp(z[i] - max) / sum;
      }
    }
    return y;
  }

  /** Within three float32 units of the float64 value: exp and the division each round once. */
  private static void assertClose(double[] expected, double[] actual) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      double unit = Math.ulp((float) expected[i]);
      assertEquals(expected[i], actual[i], 3 * unit + 1e-45, "entry " + i);
    }
  }
}
