package dev.kiln.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.examples.CnnFlatModel;
import dev.kiln.examples.MlpModel;
import dev.kiln.examples.MultipleOutputsModel;
import dev.kiln.examples.RnnRowsModel;
import org.junit.jupiter.api.Test;

/** The product work of a step, counted by hand from the seed networks' layers. */
class GemmBoundTest {

  /** Forward, input gradient and kernel gradient: 2 flops per multiply-add, batch 64. */
  private static final double PER_APPLICATION = 3 * 2.0 * 64;

  @Test
  void mlpIsItsFourKernelsOncePerSample() {
    double kernels = 784 * 512 + 512 * 216 + 216 * 128 + 128 * 10;

    assertEquals(PER_APPLICATION * kernels,
        GemmBound.trainingFlops(MlpModel.create(1).spec(), 64));
  }

  /**
   * The summary's count of the same step is the GEMM bound's products, less the first layer's
   * input gradient (the step computes none for a model input), plus the element-wise work: each
   * hidden layer's bias and ReLU forward and backward, the output's bias forward and backward and
   * its softmax forward (3 FLOPs a value; its backward is fused into the loss, which is not counted).
   */
  @Test
  void theMlpSummarysTrainingFlopsAreTheGemmBoundWithoutTheInputGradientPlusElementwiseWork() {
    MlpModel mlp = MlpModel.create(1);
    double gemmBound = GemmBound.trainingFlops(mlp.spec(), 64);
    double firstInputGradient = 2.0 * 784 * 512;
    double elementwise = 4 * (512 + 216 + 128) + 2 * 10 + 3 * 10;

    assertEquals(gemmBound + 64 * (elementwise - firstInputGradient), mlp.cost(64).trainingFlops());
  }

  @Test
  void convolutionsApplyTheirKernelAtEveryOutputPixel() {
    // Same padding: 28x28 out of conv1, 14x14 out of conv2, 7x7x64 flattened.
    double conv1 = 28 * 28 * (4 * 4 * 1 * 128);
    double conv2 = 14 * 14 * (4 * 4 * 128 * 64);
    double dense = 3136 * 64 + 64 * 10;

    assertEquals(PER_APPLICATION * (conv1 + conv2 + dense),
        GemmBound.trainingFlops(CnnFlatModel.create(1).spec(), 64));
  }

  @Test
  void recurrentKernelsApplyAtEveryStep() {
    double lstm = 28 * (28 * 512 + 128 * 512);
    double dense = 128 * 128 + 128 * 10;

    assertEquals(PER_APPLICATION * (lstm + dense),
        GemmBound.trainingFlops(RnnRowsModel.create(1).spec(), 64));
  }

  @Test
  void aTimeDistributedDenseAppliesAtEveryStep() {
    // 784 steps of 1 feature: LSTM(64, sequences) then LSTM(32), Dense(32) and Dense(10) on its
    // last state, and a TimeDistributed Dense(10) over the first LSTM's sequence.
    double lstm1 = 784 * (1 * 256 + 64 * 256);
    double lstm2 = 784 * (64 * 128 + 32 * 128);
    double heads = 32 * 32 + 32 * 10;
    double timeDistributed = 784 * (64 * 10);

    assertEquals(PER_APPLICATION * (lstm1 + lstm2 + heads + timeDistributed),
        GemmBound.trainingFlops(MultipleOutputsModel.create(1).spec(), 64));
  }
}
