package dev.kiln.processor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * What the generated step copies and adds no more: a layer that passes its input on unchanged
 * takes its input's array (and, where its copy would be the first write, its input gradient's),
 * and a Dense layer adds its share of a gradient that another reader wrote first inside its
 * product ({@code Dense.addInputGradient}), without a share buffer and an {@code addi}. Other
 * readers keep the share buffer. (The examples' SharedBuffersTest and AddedInputGradientsTest
 * check the same models against finite differences.)
 */
class BufferSharingTest {

  @Test
  void identitiesTakeTheirInputsArraysAndCopyNothing() throws IOException {
    String source = modelOf(
        "  @Dense(units = 6) Tensor d(Tensor input);",
        "  @Flatten Tensor flat(Tensor d);",
        "  @Dense(units = 4) Tensor e(Tensor flat);",
        "  @Output(loss = MSE) @ActivationLayer(LINEAR) Tensor out(Tensor e);");
    assertContains(source, "flat = NdArrays.reshaped(d, batchSize, 30);");
    assertContains(source, "dFlat = training ? NdArrays.reshaped(dD, batchSize, 30) : null;");
    assertContains(source, "out = e;");
    assertContains(source, "dOut = dE;");
    assertContains(source, "// (nothing to compute: its buffer is d's array, whose values it passes on)");
    assertContains(source, "// (nothing to compute: its gradient's array is e's, which it passes on)");
    assertLacks(source, "Flatten.");
    assertLacks(source, ".assign(");
  }

  @Test
  void denseReadersAfterTheFirstAddTheirShareInTheProduct() throws IOException {
    String source = modelOf(
        "  @Dense(units = 4, activation = TANH) Tensor shared(Tensor input);",
        "  @Dense(units = 3, activation = RELU) Tensor first(Tensor shared);",
        "  @Dense(units = 3, activation = GELU) Tensor second(Tensor shared);",
        "  @Dense(units = 3) Tensor third(Tensor shared);",
        "  @Output(loss = MSE) @Concatenate Tensor out(Tensor first, Tensor second, Tensor third);");
    assertContains(source, "Dense.backwardRelu(b.shared, firstKernel, b.first, b.dFirst, firstKernelGrad, firstBiasGrad, null);\n"
        + "    Dense.addInputGradient(b.dFirst, firstKernel, b.dShared);");
    assertContains(source, "Dense.addInputGradient(b.dSecond, secondKernel, b.dShared);");
    assertContains(source, "Dense.backward(b.shared, thirdKernel, b.dThird, thirdKernelGrad, thirdBiasGrad, b.dShared);");
    assertLacks(source, "dSharedPart");
    assertLacks(source, ".addi(");
  }

  @Test
  void otherReadersKeepTheirShareBuffers() throws IOException {
    String source = modelOf(
        "  @Dense(units = 4, activation = TANH) Tensor shared(Tensor input);",
        "  @Dense(units = 4) Tensor dense(Tensor shared);",
        "  @LayerNormalization Tensor norm(Tensor shared);",
        "  @Output(loss = MSE) @Add Tensor out(Tensor dense, Tensor norm);");
    // The norm writes first (Keras' order puts it last); the Dense adds in its product.
    assertContains(source, "Dense.addInputGradient(b.dDense, denseKernel, b.dShared);");
    String other = modelOf(
        "  @Dense(units = 4, activation = TANH) Tensor shared(Tensor input);",
        "  @LayerNormalization Tensor norm(Tensor shared);",
        "  @Dense(units = 4) Tensor dense(Tensor norm);",
        "  @Output(loss = MSE) @Add Tensor out(Tensor dense, Tensor shared);");
    assertContains(other, "b.dShared.addi(b.dSharedPart);");
  }

  /** The generated source of a model with {@code layers} after its input of shape (5, 6). */
  private static String modelOf(String... layers) throws IOException {
    return Sources.generatedModel("{5, 6}", layers);
  }

  private static void assertContains(String source, String expected) {
    assertTrue(source.contains(expected),
        () -> "expected in the generated model: " + expected + "\n" + source);
  }

  private static void assertLacks(String source, String unexpected) {
    assertFalse(source.contains(unexpected),
        () -> "not expected in the generated model: " + unexpected + "\n" + source);
  }
}
