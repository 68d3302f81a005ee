package dev.kiln.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * Where a max pooling alone reads a ReLU's output, the step takes the ReLU backward inside the
 * pooling's backward pass ({@code MaxPool2D.backwardThroughRelu}) and writes no ReLU call of its
 * own; wherever something else adds to that ReLU's gradient, both calls stay.
 */
class ReluThroughPoolingTest {

  @Test
  void aPoolingThatAloneReadsTheReluTakesItBackward() throws IOException {
    String step = backwardOf(
        "  @Conv2D(filters = 4, kernelSize = 1) Tensor first(Tensor input);",
        "  @Conv2D(filters = 4, kernelSize = 3, activation = RELU) Tensor conv(Tensor first);",
        "  @MaxPooling2D(poolSize = 2) Tensor pool(Tensor conv);",
        "  @Flatten Tensor flat(Tensor pool);");
    assertContains(step, "MaxPool2D.backwardThroughRelu(b.conv, b.dPool, POOL_WINDOW, b.dConv);");
    assertContains(step, "// (its relu went backward in pool's backward pass)");
    assertLacks(step, "Relu.backward(b.conv");
  }

  /**
   * A convolution reading the model's input needs no input gradient: its backward pass, its
   * ReLU's and the pooling's are one call in the pooling's backward step, from the trace that
   * the training step's forward call left ({@code Conv2D.forwardPooledReluForBackward}).
   */
  @Test
  void aFirstConvolutionGoesBackwardWithItsPooling() throws IOException {
    String step = backwardOf(
        "  @Conv2D(filters = 4, kernelSize = 3, activation = RELU) Tensor conv(Tensor input);",
        "  @MaxPooling2D(poolSize = 2) Tensor pool(Tensor conv);",
        "  @Flatten Tensor flat(Tensor pool);");
    assertContains(step, "Conv2D.backwardPooledRelu(input, convKernel, convBias, b.conv, b.dPool,"
        + " CONV_WINDOW, POOL_WINDOW, b.dConv, b.pool, convKernelGrad, convBiasGrad);");
    assertContains(step, "// (its backward pass, with its relu's, went in pool's backward pass)");
    assertLacks(step, "backwardThroughRelu");
    assertLacks(step, "Conv2D.backward(");
  }

  @Test
  void aSecondReaderKeepsTheReluBackwardApart() throws IOException {
    String step = backwardOf(
        "  @Conv2D(filters = 4, kernelSize = 3, activation = RELU) Tensor conv(Tensor input);",
        "  @MaxPooling2D(poolSize = 2) Tensor pooled(Tensor conv);",
        "  @Flatten Tensor flatPooled(Tensor pooled);",
        "  @Flatten Tensor flatConv(Tensor conv);",
        "  @Concatenate Tensor flat(Tensor flatPooled, Tensor flatConv);");
    assertContains(step, "MaxPool2D.backward(b.conv, ");
    assertContains(step, "Relu.backward(b.conv, b.dConv);");
    assertLacks(step, "backwardThroughRelu");
  }

  @Test
  void averagePoolingAndOtherActivationsKeepTheirOwnCalls() throws IOException {
    String step = backwardOf(
        "  @Conv2D(filters = 4, kernelSize = 3, activation = RELU) Tensor conv(Tensor input);",
        "  @AveragePooling2D(poolSize = 2) Tensor pool(Tensor conv);",
        "  @Conv2D(filters = 4, kernelSize = 1, activation = TANH) Tensor conv2(Tensor pool);",
        "  @MaxPooling2D(poolSize = 2) Tensor pool2(Tensor conv2);",
        "  @Flatten Tensor flat(Tensor pool2);");
    assertContains(step, "Relu.backward(b.conv, b.dConv);");
    assertContains(step, "MaxPool2D.backward(b.conv2, ");
    assertLacks(step, "backwardThroughRelu");
  }

  @Test
  void anActivityRegularizerKeepsTheReluBackwardApart() throws IOException {
    String step = backwardOf(
        "  @Regularizers(activityL2 = 0.1)",
        "  @Conv2D(filters = 4, kernelSize = 3, activation = RELU) Tensor conv(Tensor input);",
        "  @MaxPooling2D(poolSize = 2) Tensor pool(Tensor conv);",
        "  @Flatten Tensor flat(Tensor pool);");
    assertContains(step, "Relu.backward(b.conv, b.dConv);");
    assertLacks(step, "backwardThroughRelu");
  }

  /** The generated backward pass of an image model with {@code layers} before its Dense output. */
  private static String backwardOf(String... layers) throws IOException {
    String[] lines = new String[layers.length + 6];
    lines[0] = "@Model(optimizer = Optimizer.ADAM)";
    lines[1] = "interface Net {";
    lines[2] = "  @Input(shape = {8, 8, 2}) Tensor input();";
    System.arraycopy(layers, 0, lines, 3, layers.length);
    lines[layers.length + 3] = "  @Output(loss = CATEGORICAL_CROSSENTROPY)";
    lines[layers.length + 4] =
        "  @Dense(units = 3, activation = SOFTMAX) Tensor output(Tensor flat);";
    lines[layers.length + 5] = "}";
    Compilation compilation = Sources.compile(Sources.model("Net", lines));
    assertThat(compilation).succeeded();
    String source = compilation.generatedSourceFile("test.NetModel").orElseThrow()
        .getCharContent(false).toString();
    int start = source.indexOf("private void backward(");
    return source.substring(start, source.indexOf("\n  }\n", start));
  }

  private static void assertContains(String step, String expected) {
    if (!step.contains(expected)) {
      throw new AssertionError("the backward pass lacks " + expected + ":\n" + step);
    }
  }

  private static void assertLacks(String step, String unexpected) {
    if (step.contains(unexpected)) {
      throw new AssertionError("the backward pass has " + unexpected + ":\n" + step);
    }
  }
}
