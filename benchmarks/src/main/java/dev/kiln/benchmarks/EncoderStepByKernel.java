package dev.kiln.benchmarks;

import dev.kiln.examples.TransformerEncoderModel;
import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.kernels.Dense;
import dev.kiln.runtime.kernels.LayerNormalization;
import dev.kiln.runtime.kernels.MultiHeadAttention;
import dev.kiln.runtime.losses.MeanSquaredError;
import dev.kiln.runtime.optim.Adam;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where the training step of one transformer encoder block ({@code TransformerEncoder}: 64 tokens
 * of 128 features, 4 heads of 32, feed-forward 512) spends its time and Java heap: the calls that
 * {@code TransformerEncoderModel.trainStep} makes (read from the generated class), replayed on
 * arrays of its shapes and timed one by one, beside the generated step measured whole.
 */
final class EncoderStepByKernel {

  private static final int STEPS = 64;
  private static final int WIDTH = 128;
  private static final int HEADS = 4;
  private static final int KEY_DIM = 32;
  private static final int HIDDEN = 512;
  private static final double EPSILON = 1e-6;

  private final RandomData data = new RandomData(5);
  private long parameterCount;

  private EncoderStepByKernel() {}

  /** Markdown: time and heap per step of each kernel, then the whole generated step. */
  static List<String> measure(int steps) {
    return new EncoderStepByKernel().replay(steps);
  }

  private List<String> replay(int steps) {
    int n = Networks.BATCH;
    INDArray x = data.uniform(n, STEPS, WIDTH);
    INDArray y = data.uniform(n, STEPS, WIDTH);
    MultiHeadAttention.Parameters attention = new MultiHeadAttention.Parameters(
        parameter(WIDTH, HEADS, KEY_DIM), parameter(HEADS, KEY_DIM),
        parameter(WIDTH, HEADS, KEY_DIM), parameter(HEADS, KEY_DIM),
        parameter(WIDTH, HEADS, KEY_DIM), parameter(HEADS, KEY_DIM),
        parameter(HEADS, KEY_DIM, WIDTH), parameter(WIDTH));
    MultiHeadAttention.Parameters attentionGrads = new MultiHeadAttention.Parameters(
        like(attention.queryKernel()), like(attention.queryBias()),
        like(attention.keyKernel()), like(attention.keyBias()),
        like(attention.valueKernel()), like(attention.valueBias()),
        like(attention.outputKernel()), like(attention.outputBias()));
    MultiHeadAttention.Settings settings =
        new MultiHeadAttention.Settings(HEADS, KEY_DIM, KEY_DIM, false, 0.0);
    MultiHeadAttention.Trace trace = new MultiHeadAttention.Trace(
        zeros(n, HEADS, STEPS, KEY_DIM), zeros(n, HEADS, STEPS, KEY_DIM),
        zeros(n, HEADS, STEPS, KEY_DIM), zeros(n, HEADS, STEPS, STEPS), null, null,
        zeros(n, STEPS, WIDTH));
    INDArray[] norm1 = {parameter(WIDTH), parameter(WIDTH)};
    INDArray[] norm2 = {parameter(WIDTH), parameter(WIDTH)};
    INDArray[] norm1Grads = {zeros(WIDTH), zeros(WIDTH)};
    INDArray[] norm2Grads = {zeros(WIDTH), zeros(WIDTH)};
    Dense.Parameters feedForward = new Dense.Parameters(parameter(WIDTH, HIDDEN), parameter(HIDDEN));
    Dense.Parameters projected = new Dense.Parameters(parameter(HIDDEN, WIDTH), parameter(WIDTH));
    Dense.Parameters feedForwardGrads = new Dense.Parameters(zeros(WIDTH, HIDDEN), zeros(HIDDEN));
    Dense.Parameters projectedGrads = new Dense.Parameters(zeros(HIDDEN, WIDTH), zeros(WIDTH));
    INDArray attended = zeros(n, STEPS, WIDTH);
    INDArray attentionOut = zeros(n, STEPS, WIDTH);
    INDArray normed = zeros(n, STEPS, WIDTH);
    INDArray slope = zeros(n, STEPS, HIDDEN);
    INDArray hidden = zeros(n, STEPS, HIDDEN);
    INDArray projectedOut = zeros(n, STEPS, WIDTH);
    INDArray fed = zeros(n, STEPS, WIDTH);
    INDArray out = zeros(n, STEPS, WIDTH);
    INDArray dOut = zeros(n, STEPS, WIDTH);
    INDArray dNormed = zeros(n, STEPS, WIDTH);
    INDArray dNormedPart = zeros(n, STEPS, WIDTH);
    INDArray dHidden = zeros(n, STEPS, HIDDEN);
    INDArray dProjected = zeros(n, STEPS, WIDTH);
    INDArray dAttention = zeros(n, STEPS, WIDTH);
    INDArray flatParameters = zeros(parameterCount);
    INDArray flatGradients = zeros(parameterCount);
    Adam adam = new Adam(1e-3);
    adam.attach(parameterCount, DataType.FLOAT);

    KernelClock clock = new KernelClock(true);
    Runnable step = () -> {
      clock.count("MultiHeadAttention.forward", () -> MultiHeadAttention.forward(x, x, x, attention,
          settings, true, null, trace, attentionOut));
      clock.count("LayerNormalization.forwardOfSum", () -> LayerNormalization.forwardOfSum(x,
          attentionOut, norm1[0], norm1[1], WIDTH, EPSILON, attended, normed));
      clock.count("Dense.forwardGelu", () -> Dense.forwardGelu(normed, feedForward.kernel(),
          feedForward.bias(), slope, hidden, true));
      clock.count("Dense.forward", () -> Dense.forward(hidden, projected.kernel(),
          projected.bias(), projectedOut));
      clock.count("LayerNormalization.forwardOfSum", () -> LayerNormalization.forwardOfSum(normed,
          projectedOut, norm2[0], norm2[1], WIDTH, EPSILON, fed, out));
      clock.count("MeanSquaredError.compute", () -> MeanSquaredError.compute(out, y, 1.0, dOut));
      clock.count("LayerNormalization.backwardOfSum", () -> LayerNormalization.backwardOfSum(fed,
          norm2[0], WIDTH, EPSILON, dOut, norm2Grads[0], norm2Grads[1], dNormed, dProjected));
      clock.count("Dense.backward", () -> Dense.backward(hidden, projected.kernel(), dProjected,
          projectedGrads.kernel(), projectedGrads.bias(), dHidden));
      clock.count("Dense.backwardGeluFromSlope", () -> Dense.backwardGeluFromSlope(normed,
          feedForward.kernel(), slope, dHidden, feedForwardGrads.kernel(),
          feedForwardGrads.bias(), dNormedPart));
      clock.count("generated code: addi", () -> dNormed.addi(dNormedPart));
      clock.count("LayerNormalization.backwardOfSum", () -> LayerNormalization.backwardOfSum(
          attended, norm1[0], WIDTH, EPSILON, dNormed, norm1Grads[0], norm1Grads[1], null,
          dAttention));
      clock.count("MultiHeadAttention.backward", () -> MultiHeadAttention.backward(x, x, x,
          attention, settings, trace, dAttention, attentionGrads, null, null, null));
      clock.count("Adam (Updater.step)", () -> adam.step(flatParameters, flatGradients));
    };
    for (int i = 0; i < 5; i++) {
      step.run();
    }
    clock.reset();
    for (int i = 0; i < steps; i++) {
      step.run();
    }

    TransformerEncoderModel model = TransformerEncoderModel.create(42);
    for (int i = 0; i < 5; i++) {
      model.trainStep(x, y);
    }
    long cpuStart = ProcessCpu.nanos();
    long start = System.nanoTime();
    long modelBytes = KernelClock.bytes(() -> {
      for (int i = 0; i < steps; i++) {
        model.trainStep(x, y);
      }
    }) / steps;
    double modelMillis = (System.nanoTime() - start) / 1e6 / steps;
    double modelCpuMillis = (ProcessCpu.nanos() - cpuStart) / 1e6 / steps;
    return clock.render(steps, "TransformerEncoderModel.trainStep", modelBytes, modelMillis,
        modelCpuMillis);
  }

  /** A parameter of small random values, counted towards the optimizer's buffer. */
  private INDArray parameter(long... shape) {
    INDArray array = data.uniform(shape).subi(0.5).muli(0.2);
    parameterCount += array.length();
    return array;
  }

  private static INDArray like(INDArray array) {
    return NdArrays.zeros(DataType.FLOAT, array.shape());
  }

  private static INDArray zeros(long... shape) {
    return NdArrays.zeros(DataType.FLOAT, shape);
  }
}
