package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.testing.PlainArrays;
import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Generated models with convolutional layer kinds against float64 finite differences. */
class ConvGradientsTest {

  private static final int ALL = 1000;

  @Test
  void validPaddingWithStrideTwoAndSamePooling() {
    StridedValidModel model = StridedValidModel.create(1, DataType.DOUBLE);
    INDArray x = RandomArrays.uniform(2, 3, 7, 6, 2);
    INDArray y = RandomArrays.oneHot(3, 3, 3);
    ModelChecks.assertGradientsMatch(model, () -> model.computeGradients(x, y), ALL);
  }

  @Test
  void samePaddingWithDilationAndStridedAveragePooling() {
    DilatedSameModel model = DilatedSameModel.create(4, DataType.DOUBLE);
    INDArray x = RandomArrays.uniform(5, 2, 6, 7, 2);
    INDArray y = RandomArrays.uniform(6, 2, 2);
    ModelChecks.assertGradientsMatch(model, () -> model.computeGradients(x, y), ALL);
  }

  @Test
  void transposedConvolutionCroppingPaddingAndUpsampling() {
    UpsamplingModel model = UpsamplingModel.create(7, DataType.DOUBLE);
    INDArray x = RandomArrays.uniform(8, 2, 3, 4, 2);
    INDArray y = RandomArrays.uniform(9, 2, 2).addi(1).divi(2);
    ModelChecks.assertGradientsMatch(model, () -> model.computeGradients(x, y), ALL);
  }

  @Test
  void mergesBatchNormalizationAndDropoutWithFixedNoise() {
    MergesModel model = MergesModel.create(10, DataType.DOUBLE);
    INDArray left = RandomArrays.uniform(11, 4, 6);
    INDArray right = RandomArrays.uniform(12, 4, 6);
    INDArray y = RandomArrays.uniform(13, 4, 2);
    // The same dropout mask for every evaluation of the loss.
    ModelChecks.assertGradientsMatch(
        model,
        () -> {
          model.seedNoise(99);
          return model.computeGradients(left, right, y);
        },
        ALL);
  }

  @Test
  void sharedWeightsAreCountedOnceAndGetTheSumOfBothGradients() {
    SharedConvolutionModel model = SharedConvolutionModel.create(14, DataType.DOUBLE);
    // kernel 3*3*2*3 + bias 3, once; then the output layer.
    assertEquals(3 * 3 * 2 * 3 + 3 + (2 * 3 * 3 * 3 * 2 + 2), model.parameterCount());
    assertTrue(model.summary().contains("encodeSecond (Conv2D)"), model.summary());
    INDArray first = RandomArrays.uniform(15, 3, 5, 5, 2);
    INDArray second = RandomArrays.uniform(16, 3, 5, 5, 2);
    INDArray y = RandomArrays.uniform(17, 3, 2);
    ModelChecks.assertGradientsMatch(model, () -> model.computeGradients(first, second, y), ALL);
  }

  @Test
  void layersWithoutWeightsReadingAnInputNeedNoInputGradient() {
    WindowsOnInputModel model = WindowsOnInputModel.create(18, DataType.DOUBLE);
    INDArray image = RandomArrays.uniform(19, 3, 4, 4, 2);
    INDArray y = RandomArrays.uniform(20, 3, 2);
    ModelChecks.assertGradientsMatch(model, () -> model.computeGradients(image, y), ALL);
  }

  @Test
  void concatenatedPartWithAGradientBetweenModelInputs() {
    BetweenInputsModel model = BetweenInputsModel.create(21, DataType.DOUBLE);
    INDArray steps = RandomArrays.uniform(22, 3, 2, 3);
    INDArray y = RandomArrays.uniform(23, 3, 2);
    ModelChecks.assertGradientsMatch(model, () -> model.computeGradients(steps, y), ALL);
  }

  @Test
  void maxPoolingsTakeTheirReluBackwardInFloat64() {
    ReluPooledModel model = ReluPooledModel.create(24, DataType.DOUBLE);
    INDArray image = RandomArrays.uniform(25, 3, 9, 8, 2);
    INDArray y = RandomArrays.oneHot(26, 3, 3);
    ModelChecks.assertGradientsMatch(model, () -> model.computeGradients(image, y), ALL);
  }

  @Test
  void aFirstConvolutionPooledInTrainingInFloat64() {
    FirstConvPooledModel model = FirstConvPooledModel.create(30, DataType.DOUBLE);
    INDArray image = RandomArrays.uniform(31, 3, 11, 10, 1);
    INDArray y = RandomArrays.oneHot(32, 3, 3);
    ModelChecks.assertGradientsMatch(model, () -> model.computeGradients(image, y), ALL);
  }

  /**
   * Float32 runs the first convolution, its ReLU and pooling in one pass each way, in Vector API
   * lanes; activations() after the step still shows the convolution's own output.
   */
  @Test
  void aFirstConvolutionPooledInTrainingInFloat32AsInFloat64() {
    FirstConvPooledModel float64 = FirstConvPooledModel.create(33, DataType.DOUBLE);
    FirstConvPooledModel float32 = FirstConvPooledModel.create(33, DataType.FLOAT);
    float32.parameters().assign(float64.parameters());
    INDArray image = RandomArrays.uniform(34, 5, 11, 10, 1);
    INDArray y = RandomArrays.oneHot(35, 5, 3);
    float64.computeGradients(image, y);
    float32.computeGradients(image.castTo(DataType.FLOAT), y.castTo(DataType.FLOAT));
    double[] expected = PlainArrays.values(float64.gradients());
    double scale = 0;
    for (double value : expected) {
      scale = Math.max(scale, Math.abs(value));
    }
    PlainArrays.assertAllClose(expected, float32.gradients(), 1e-4 * scale, "gradients");
    PlainArrays.assertAllClose(
        PlainArrays.values(float64.activations(image).conv1()),
        float32.activations(image.castTo(DataType.FLOAT)).conv1(), 1e-5, "conv1's activation");
  }

  /** Float32 runs the pooling and its ReLU backward in Vector API lanes. */
  @Test
  void maxPoolingsTakeTheirReluBackwardInFloat32AsInFloat64() {
    ReluPooledModel float64 = ReluPooledModel.create(27, DataType.DOUBLE);
    ReluPooledModel float32 = ReluPooledModel.create(27, DataType.FLOAT);
    float32.parameters().assign(float64.parameters());
    INDArray image = RandomArrays.uniform(28, 4, 9, 8, 2);
    INDArray y = RandomArrays.oneHot(29, 4, 3);
    float64.computeGradients(image, y);
    float32.computeGradients(image.castTo(DataType.FLOAT), y.castTo(DataType.FLOAT));
    double[] expected = PlainArrays.values(float64.gradients());
    double scale = 0;
    for (double value : expected) {
      scale = Math.max(scale, Math.abs(value));
    }
    PlainArrays.assertAllClose(expected, float32.gradients(), 1e-4 * scale, "gradients");
  }
}
