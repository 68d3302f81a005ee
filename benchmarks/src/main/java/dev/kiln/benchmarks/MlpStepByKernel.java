package dev.kiln.benchmarks;

import dev.kiln.examples.MlpModel;
import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.kernels.Dense;
import dev.kiln.runtime.kernels.Softmax;
import dev.kiln.runtime.losses.CategoricalCrossEntropy;
import dev.kiln.runtime.optim.Adam;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where a Kiln MLP training step spends its time and which runtime kernels allocate the Java heap
 * it leaves behind, without a profiler in the way. It replays the calls that
 * {@code MlpModel.trainStep} makes (the generated code, read from {@code MlpModel.java}) on arrays
 * of the MLP's shapes, timing each call and counting its bytes with the thread's allocation
 * counter; the generated step itself is measured whole beside it, so what the kernels do not
 * explain is the model's own glue (input checks, buffer lookup).
 */
final class MlpStepByKernel {

  private static final int[] UNITS = {784, 512, 216, 128, 10};

  private MlpStepByKernel() {}

  /** Markdown: time and heap per step of each kernel, then the whole generated step. */
  static List<String> measure(int steps) {
    KernelClock heap = new KernelClock(false);
    RandomData data = new RandomData(5);
    int layers = UNITS.length - 1;
    INDArray x = data.uniform(Networks.BATCH, UNITS[0]);
    INDArray y = data.oneHot(Networks.BATCH, UNITS[layers]);
    INDArray[] kernels = new INDArray[layers];
    INDArray[] biases = new INDArray[layers];
    INDArray[] kernelGrads = new INDArray[layers];
    INDArray[] biasGrads = new INDArray[layers];
    INDArray[] outputs = new INDArray[layers];
    INDArray[] outputGrads = new INDArray[layers];
    long parameters = 0;
    for (int i = 0; i < layers; i++) {
      kernels[i] = data.uniform(UNITS[i], UNITS[i + 1]).subi(0.5).muli(0.1);
      biases[i] = NdArrays.zeros(DataType.FLOAT, UNITS[i + 1]);
      kernelGrads[i] = NdArrays.zeros(DataType.FLOAT, UNITS[i], UNITS[i + 1]);
      biasGrads[i] = NdArrays.zeros(DataType.FLOAT, UNITS[i + 1]);
      outputs[i] = NdArrays.zeros(DataType.FLOAT, Networks.BATCH, UNITS[i + 1]);
      outputGrads[i] = NdArrays.zeros(DataType.FLOAT, Networks.BATCH, UNITS[i + 1]);
      parameters += (long) UNITS[i] * UNITS[i + 1] + UNITS[i + 1];
    }
    INDArray flatParameters = NdArrays.zeros(DataType.FLOAT, parameters);
    INDArray flatGradients = NdArrays.zeros(DataType.FLOAT, parameters);
    Adam adam = new Adam(1e-3);
    adam.attach(parameters, DataType.FLOAT);

    Runnable step = () -> {
      for (int i = 0; i < layers; i++) {
        INDArray input = i == 0 ? x : outputs[i - 1];
        int layer = i;
        if (i < layers - 1) {
          heap.count("Dense.forwardRelu", () -> Dense.forwardRelu(input, kernels[layer], biases[layer], outputs[layer]));
        } else {
          heap.count("Dense.forward", () -> Dense.forward(input, kernels[layer], biases[layer], outputs[layer]));
          heap.count("Softmax.forward", () -> Softmax.forward(outputs[layer], outputs[layer]));
        }
      }
      heap.count("CategoricalCrossEntropy.withSoftmax",
          () -> CategoricalCrossEntropy.withSoftmax(outputs[layers - 1], y, 1.0, outputGrads[layers - 1]));
      for (int i = layers - 1; i >= 0; i--) {
        INDArray input = i == 0 ? x : outputs[i - 1];
        INDArray inputGrad = i == 0 ? null : outputGrads[i - 1];
        int layer = i;
        if (i == layers - 1) {
          heap.count("Dense.backward", () -> Dense.backward(
              input, kernels[layer], outputGrads[layer], kernelGrads[layer], biasGrads[layer], inputGrad));
        } else {
          heap.count("Dense.backwardRelu", () -> Dense.backwardRelu(input, kernels[layer],
              outputs[layer], outputGrads[layer], kernelGrads[layer], biasGrads[layer], inputGrad));
        }
      }
      heap.count("Adam (Updater.step)", () -> adam.step(flatParameters, flatGradients));
    };
    for (int i = 0; i < 20; i++) {
      step.run();
    }
    heap.reset();
    for (int i = 0; i < steps; i++) {
      step.run();
    }

    MlpModel model = MlpModel.create(42);
    INDArray modelInput = data.uniform(Networks.BATCH, UNITS[0]);
    for (int i = 0; i < 200; i++) {
      model.trainStep(modelInput, y); // until C2 has compiled the lanes (see Interleaved.warmUp)
    }
    long start = System.nanoTime();
    long modelBytes = KernelClock.bytes(() -> {
      for (int i = 0; i < steps; i++) {
        model.trainStep(modelInput, y);
      }
    }) / steps;
    double modelMillis = (System.nanoTime() - start) / 1e6 / steps;
    return heap.render(steps, "MlpModel.trainStep", modelBytes, modelMillis);
  }
}
