package dev.kiln.processor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * A Dense layer with exact GELU applies its bias inside GELU's pass ({@code Dense.forwardGelu}),
 * which in training leaves GELU's derivative in the pre-activation buffer, and takes GELU's
 * gradient with the bias gradient from it ({@code Dense.backwardGeluFromSlope}); other
 * activations and wrapped Dense layers keep their own calls.
 */
class DenseGeluTest {

  @Test
  void denseWithGeluCallsTheFusedEntries() throws IOException {
    String source = modelOf(
        "  @Dense(units = 6, activation = GELU) Tensor hidden(Tensor input);",
        "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor hidden);");
    assertContains(source, "Dense.forwardGelu(input, hiddenKernel, hiddenBias,"
        + " b.hiddenPreActivation, b.hidden, training);");
    assertContains(source, "Dense.backwardGeluFromSlope(input, hiddenKernel,"
        + " b.hiddenPreActivation, b.dHidden, hiddenKernelGrad, hiddenBiasGrad, null);");
    assertContains(source, "hidden's activation slopes, which its kernel writes in a training pass");
    assertLacks(source, "Gelu.forward(");
    assertLacks(source, "Gelu.backward(");
  }

  @Test
  void otherActivationsAndWrappedLayersKeepTheirOwnCalls() throws IOException {
    String source = modelOf(
        "  @Dense(units = 6, activation = GELU_TANH) Tensor hidden(Tensor input);",
        "  @TimeDistributed @Dense(units = 3, activation = GELU) Tensor steps(Tensor hidden);",
        "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor steps);");
    assertContains(source, "GeluTanh.forward(b.hiddenPreActivation, b.hidden);");
    assertContains(source, "Gelu.forward(b.stepsPreActivation, b.steps);");
    assertLacks(source, "forwardGelu");
    assertLacks(source, "backwardGelu");
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
