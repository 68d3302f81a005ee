package dev.kiln.processor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * A LayerNormalization reading an {@code @Add} that it alone reads takes the sum into its
 * passes ({@code LayerNormalization.forwardOfSum}, {@code backwardOfSum}), next to it or further
 * on; an Add with another reader, or a norm whose weights another layer shares, keeps the
 * separate calls.
 */
class SumNormalizationTest {

  @Test
  void aNormRightAfterAnAddItAloneReadsTakesTheSum() throws IOException {
    String source = modelOf(
        "  @Dense(units = 4) Tensor mixed(Tensor input);",
        "  @Add Tensor sum(Tensor input, Tensor mixed);",
        "  @LayerNormalization Tensor norm(Tensor sum);",
        "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor norm);");
    assertContains(source, "LayerNormalization.forwardOfSum(input, b.mixed, normGamma, normBeta,"
        + " 4, 0.001, b.training ? b.sum : null, b.norm);");
    assertContains(source, "LayerNormalization.backwardOfSum(b.sum, normGamma, 4, 0.001, b.dNorm,"
        + " normGammaGrad, normBetaGrad, null, b.dMixed);");
    assertContains(source, "// (summed in norm's pass");
    assertContains(source, "// (goes backward in sum's pass");
    assertLacks(source, "Add.forward(");
    assertLacks(source, "Add.backward(");
    // a prediction on its own buffers leaves the sum unwritten: nothing else reads it
    assertContains(source, "final boolean training;");
  }

  @Test
  void otherReadersAndSharedWeightsKeepTheSeparateCalls() throws IOException {
    String read = modelOf(
        "  @Dense(units = 4) Tensor mixed(Tensor input);",
        "  @Add Tensor sum(Tensor input, Tensor mixed);",
        "  @LayerNormalization Tensor norm(Tensor sum);",
        "  @Add Tensor again(Tensor norm, Tensor sum);",
        "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor again);");
    assertLacks(read, "OfSum");
    String shared = modelOf(
        "  @Dense(units = 4) Tensor mixed(Tensor input);",
        "  @Add Tensor sum(Tensor input, Tensor mixed);",
        "  @LayerNormalization Tensor norm(Tensor sum);",
        "  @SameWeightsAs(\"norm\") @LayerNormalization Tensor other(Tensor mixed);",
        "  @Add Tensor both(Tensor norm, Tensor other);",
        "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor both);");
    assertLacks(shared, "OfSum");
  }

  @Test
  void aNormFurtherOnTakesTheSumToo() throws IOException {
    String source = modelOf(
        "  @Dense(units = 4) Tensor mixed(Tensor input);",
        "  @Add Tensor sum(Tensor input, Tensor mixed);",
        "  @Dense(units = 4) Tensor between(Tensor mixed);",
        "  @LayerNormalization Tensor norm(Tensor sum);",
        "  @Add Tensor both(Tensor norm, Tensor between);",
        "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor both);");
    assertContains(source, "LayerNormalization.forwardOfSum(input, b.mixed,");
    assertContains(source, "LayerNormalization.backwardOfSum(b.sum,");
  }

  /** The generated source of a sequence model with {@code layers} after its input. */
  private static String modelOf(String... layers) throws IOException {
    return Sources.generatedModel("{5, 4}", layers);
  }

  private static void assertContains(String source, String expected) {
    assertTrue(source.contains(expected), "expected in the generated model: " + expected);
  }

  private static void assertLacks(String source, String unexpected) {
    assertFalse(source.contains(unexpected), "not expected in the generated model: " + unexpected);
  }
}
