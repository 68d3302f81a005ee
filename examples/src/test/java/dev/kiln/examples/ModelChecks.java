package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.ParameterSpec;
import dev.kiln.runtime.testing.FiniteDifferences;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoubleSupplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Checks shared by the tests of generated models. */
final class ModelChecks {

  static final double MAX_RELATIVE_ERROR = 1e-5;

  private ModelChecks() {}

  /**
   * Compares the model's backward pass with central finite differences on every parameter tensor
   * ({@code samples} entries each); {@code computeGradients} runs the model's own method.
   */
  static void assertGradientsMatch(KilnModel model, DoubleSupplier computeGradients, int samples) {
    assertGradientsMatch(model, computeGradients, samples, parameter -> true);
  }

  /** The same, for the parameter tensors {@code checked} accepts. */
  static void assertGradientsMatch(
      KilnModel model, DoubleSupplier computeGradients, int samples,
      java.util.function.Predicate<ParameterSpec> checked) {
    Map<String, INDArray[]> slices = new LinkedHashMap<>();
    long offset = 0;
    for (ParameterSpec parameter : model.spec().parameters()) {
      if (!checked.test(parameter)) {
        offset += parameter.length();
        continue;
      }
      slices.put(
          parameter.layer() + "." + parameter.name(),
          new INDArray[] {
            NdArrays.view(model.parameters(), offset, parameter.length()),
            NdArrays.view(model.gradients(), offset, parameter.length())
          });
      offset += parameter.length();
    }
    Map<String, Double> errors =
        FiniteDifferences.checkTensors(computeGradients, slices, samples, 11);
    errors.forEach(
        (tensor, error) ->
            assertTrue(
                error < MAX_RELATIVE_ERROR,
                tensor + ": relative error " + error + " against finite differences; all: " + errors));
  }

  /** {@code sum(|a|)} or {@code sum(a^2)} of an array's values: regularizers' penalties written out. */
  static double sum(INDArray array, boolean absolute) {
    double total = 0;
    for (double value : array.ravel().toDoubleVector()) {
      total += absolute ? Math.abs(value) : value * value;
    }
    return total;
  }

  /** Bitwise equality of two arrays' values. */
  static boolean sameBits(INDArray a, INDArray b) {
    return java.util.Arrays.equals(a.shape(), b.shape())
        && java.util.Arrays.equals(a.dup().data().asBytes(), b.dup().data().asBytes());
  }
}
