package dev.kiln.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Loss;
import dev.kiln.Optimizer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Class weights turned into sample weights by each sample's class, as Keras does. */
class ClassWeightsTest {

  @Test
  void oneHotTargetsWeighByTheirLargestEntry() {
    ClassWeights weights = ClassWeights.of(spec(output(Loss.CATEGORICAL_CROSSENTROPY, 3)),
        Map.of(0, 0.5, 2, 4.0));
    INDArray targets = Nd4j.createFromArray(new double[][] {
        {0, 0, 1}, {1, 0, 0}, {0, 1, 0}, {0.1, 0.2, 0.7}});
    // Class 1 has no weight: 1, as in Keras 3.
    assertArrayEquals(new double[] {4, 0.5, 1, 4}, weights.sampleWeights(targets).toDoubleVector());
  }

  @Test
  void sparseTargetsWeighByTheirIndex() {
    ClassWeights weights =
        ClassWeights.of(spec(output(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, 4)), Map.of(3, 2.0));
    INDArray labels = Nd4j.createFromArray(new double[][] {{3}, {0}, {3}, {1}});
    assertArrayEquals(new double[] {2, 1, 2, 1}, weights.sampleWeights(labels).toDoubleVector());
  }

  @Test
  void binaryTargetsWeighByTheirRoundedValue() {
    ClassWeights weights =
        ClassWeights.of(spec(output(Loss.BINARY_CROSSENTROPY, 1)), Map.of(0, 1.0, 1, 10.0));
    INDArray targets = Nd4j.createFromArray(new double[][] {{1}, {0}, {0.9}, {0.2}, {0.5}});
    // 0.5 rounds half to even, to 0, as NumPy's round does.
    assertArrayEquals(
        new double[] {10, 1, 10, 1, 1}, weights.sampleWeights(targets).toDoubleVector());
  }

  @Test
  void modelsWithoutOneClassPerSampleAreRefusedWithTheReason() {
    assertRefused(spec(output(Loss.CATEGORICAL_CROSSENTROPY, 3), output(Loss.MSE, 1)),
        Map.of(0, 2.0), "one output", "setLossWeight");
    assertRefused(spec(output(Loss.MSE, 1)), Map.of(0, 2.0), "MSE", "regression");
    assertRefused(spec(output(Loss.BINARY_CROSSENTROPY, 3)), Map.of(0, 2.0), "multi-label");
    assertRefused(spec(new OutputSpec("tags", new long[] {7, 3},
        Loss.CATEGORICAL_CROSSENTROPY, 1, List.of())), Map.of(0, 2.0), "(None, 7, 3)");
  }

  @Test
  void aClassTheOutputDoesNotHaveIsRefused() {
    assertRefused(spec(output(Loss.CATEGORICAL_CROSSENTROPY, 3)), Map.of(3, 2.0),
        "class 3", "3 classes, 0 to 2");
    assertRefused(spec(output(Loss.BINARY_CROSSENTROPY, 1)), Map.of(2, 2.0),
        "class 2", "2 classes, 0 to 1");
  }

  private static void assertRefused(ModelSpec spec, Map<Integer, Double> weights, String... words) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ClassWeights.of(spec, weights));
    for (String word : words) {
      assertTrue(e.getMessage().contains(word), e.getMessage());
    }
  }

  private static OutputSpec output(Loss loss, long units) {
    return new OutputSpec("out" + loss.ordinal(), new long[] {units}, loss, 1, List.of());
  }

  private static ModelSpec spec(OutputSpec... outputs) {
    return new ModelSpec("Test", "fp",
        List.of(new InputSpec("input", new long[] {2}, DType.FLOAT32)), List.of(outputs),
        List.of(), Optimizer.SGD, Double.NaN, "", "");
  }
}
