package dev.kiln.runtime.losses;

import static dev.kiln.runtime.testing.PlainArrays.assertAllClose;
import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The Java pass of the softmax cross-entropy gives what the ND4J ops give: row-major arrays take
 * the pass, the same values in column-major order take the ops.
 */
class SoftmaxLossTest {

  private static final double TOLERANCE = 1e-12;

  @Test
  void javaPassMatchesTheOps() {
    check(null);
  }

  @Test
  void javaPassMatchesTheOpsWithSampleWeights() {
    check(Nd4j.createFromArray(2.0, 0.0, 1.0, 0.5, 3.0));
  }

  private static void check(INDArray sampleWeights) {
    INDArray p = Transforms.softmax(RandomArrays.uniform(1, 5, 4).muli(3));
    p.putScalar(0, 0, 1e-9); // clipped
    INDArray y = RandomArrays.distributions(2, 5, 4);
    INDArray rowMajorGradient = p.ulike();
    INDArray columnMajorGradient = p.ulike().dup('f');
    INDArray pColumns = p.dup('f');
    INDArray yColumns = y.dup('f');
    assertTrue(SoftmaxLoss.suits(p, y, rowMajorGradient, sampleWeights));
    assertFalse(SoftmaxLoss.suits(pColumns, yColumns, columnMajorGradient, sampleWeights));
    double rowMajor = run(sampleWeights, () ->
        CategoricalCrossEntropy.withSoftmax(p, y, 0.7, rowMajorGradient));
    double columnMajor = run(sampleWeights, () ->
        CategoricalCrossEntropy.withSoftmax(pColumns, yColumns, 0.7, columnMajorGradient));
    assertEquals(columnMajor, rowMajor, TOLERANCE, "loss");
    assertAllClose(values(columnMajorGradient), rowMajorGradient, TOLERANCE, "gradient");
  }

  private static double run(INDArray sampleWeights, java.util.function.DoubleSupplier loss) {
    return sampleWeights == null ? loss.getAsDouble() : SampleWeights.during(sampleWeights, loss);
  }
}
