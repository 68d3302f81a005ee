package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.Verbosity;
import dev.kiln.runtime.data.FashionMnist;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** {@link MobileNetLite}: Keras' parameter count, and it learns Fashion-MNIST. */
class MobileNetLiteTest {

  @Test
  void parameterCountIsKeras() {
    // Conv2D: kh * kw * channels * filters + filters. DepthwiseConv2D: kh * kw * channels *
    // depthMultiplier + channels * depthMultiplier. SeparableConv2D: the depthwise kernel, the
    // pointwise kernel channels * depthMultiplier * filters, and filters of bias.
    long stem = 3 * 3 * 1 * 16 + 16;
    long depthwise1 = 3 * 3 * 16 * 2 + 16 * 2;
    long pointwise1 = 1 * 1 * 32 * 32 + 32;
    long depthwise2 = 3 * 3 * 32 * 1 + 32;
    long pointwise2 = 1 * 1 * 32 * 64 + 64;
    long separable3 = 3 * 3 * 64 * 1 + 64 * 1 * 32 + 32;
    long output = 7 * 7 * 32 * 10 + 10;
    MobileNetLiteModel model = MobileNetLiteModel.create(1);
    assertEquals(stem + depthwise1 + pointwise1 + depthwise2 + pointwise2 + separable3 + output,
        model.parameterCount());
    assertTrue(model.summary().contains("Total params: 22,314"), model.summary());
    assertTrue(model.summary().contains("(None, 14, 14, 32)"), model.summary());
  }

  @Test
  void learnsFashionMnist() throws IOException {
    FashionMnist.Dataset data = FashionMnist.loadResources(Demo.class, "fashion-mnist-subset/");
    FashionMnist.Split train = data.train().head(1500);
    MobileNetLiteModel model = MobileNetLiteModel.create(5);
    model.fit(MobileNetLiteModel.data(images(train), train.oneHotLabels()),
        FitOptions.epochs(2).batchSize(32).verbosity(Verbosity.SILENT));
    double accuracy = model
        .evaluate(MobileNetLiteModel.data(images(data.test()), data.test().oneHotLabels()), 256)
        .get("accuracy");
    System.out.printf("%s test accuracy: %.4f%n", "MobileNetLite", accuracy);
    // Measured 0.739; ten classes, so chance is 0.1.
    assertTrue(accuracy >= 0.65, "test accuracy " + accuracy);
  }

  private static org.nd4j.linalg.api.ndarray.INDArray images(FashionMnist.Split split) {
    return split.images().reshape(split.size(), 28, 28, 1);
  }
}
