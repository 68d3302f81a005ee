package dev.kiln.examples;

import dev.kiln.DType;
import dev.kiln.runtime.InputSpec;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.OutputSpec;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A fuzz model's data, drawn from its seed's stream: inputs of its input specs (token ids below
 * the limit, padded steps where a Masking reads them) and targets its losses accept.
 */
final class FuzzData {

  private final KilnModel model;
  private final SplittableRandom random;
  /** The length a varying steps axis takes. */
  private final int steps;

  FuzzData(KilnModel model, SplittableRandom random, int steps) {
    this.model = model;
    this.random = random;
    this.steps = steps;
  }

  /** The shape of one sample with the batch axis in front and the varying length set. */
  long[] withBatch(long[] shape, int samples) {
    long[] full = new long[shape.length + 1];
    full[0] = samples;
    for (int i = 0; i < shape.length; i++) {
      full[i + 1] = shape[i] < 0 ? steps : shape[i];
    }
    return full;
  }

  INDArray[] inputs(int samples) {
    return model.spec().inputs().stream()
        .map(input -> input(input, samples))
        .toArray(INDArray[]::new);
  }

  private INDArray input(InputSpec input, int samples) {
    long[] shape = withBatch(input.shape(), samples);
    int length = (int) product(shape);
    if (input.dtype() == DType.INT32) {
      FuzzChecks.require(
          input.tokenLimit() > 0, "spec", "token input " + input.name() + " has no token limit");
      int[] ids = new int[length];
      for (int i = 0; i < length; i++) {
        ids[i] = random.nextInt((int) input.tokenLimit());
      }
      return Nd4j.createFromArray(ids).reshape(shape);
    }
    INDArray values = uniform(length, -1, 1).reshape(shape);
    if (isMasked(input)) {
      // Padded steps for the Masking that reads it: a third of the steps, all features 0.
      for (int sample = 0; sample < samples; sample++) {
        for (int step = 0; step < shape[1]; step++) {
          if (random.nextInt(3) == 0) {
            values.get(NDArrayIndex.point(sample), NDArrayIndex.point(step)).assign(0);
          }
        }
      }
    }
    return values;
  }

  /** Whether a Masking layer reads {@code input}. */
  private boolean isMasked(InputSpec input) {
    return model.spec().layers().stream().anyMatch(layer -> layer.type().equals("Masking")
        && layer.inputs().contains(input.name()));
  }

  /** A target the output's loss accepts: one-hot rows, class indices, values in [0, 1]. */
  INDArray target(OutputSpec output, int batch) {
    long[] shape = withBatch(output.shape(), batch);
    int length = (int) product(shape);
    int classes = (int) shape[shape.length - 1];
    return switch (output.loss()) {
      case CATEGORICAL_CROSSENTROPY -> {
        double[] oneHot = new double[length];
        for (int row = 0; row < length / classes; row++) {
          oneHot[row * classes + random.nextInt(classes)] = 1;
        }
        yield Nd4j.createFromArray(oneHot).reshape(shape);
      }
      case SPARSE_CATEGORICAL_CROSSENTROPY -> {
        int[] labels = new int[length / classes];
        Arrays.setAll(labels, i -> random.nextInt(classes));
        INDArray indices =
            Nd4j.createFromArray(labels).reshape(Arrays.copyOf(shape, shape.length - 1));
        // Whole floats are class indices too.
        yield random.nextBoolean() ? indices : indices.castTo(DataType.DOUBLE);
      }
      case BINARY_CROSSENTROPY ->
          random.nextBoolean()
              ? uniform(length, 0, 1).reshape(shape)
              : uniform(length, 0, 1).gt(0.5).castTo(DataType.DOUBLE).reshape(shape);
        // Huber's errors straddle its delta of 1.
      case HUBER -> uniform(length, -2, 2).reshape(shape);
      case MSE, MAE, COSINE_SIMILARITY -> uniform(length, -1, 1).reshape(shape);
      case LOG_COSH -> uniform(length, -2, 2).reshape(shape);
      case KL_DIVERGENCE -> uniform(length, 0, 1).reshape(shape);
      case POISSON -> Transforms.floor(uniform(length, 0, 4), false).reshape(shape);
    };
  }

  private INDArray uniform(int length, double low, double high) {
    double[] values = new double[length];
    Arrays.setAll(values, i -> random.nextDouble(low, high));
    return Nd4j.createFromArray(values);
  }

  private static long product(long[] shape) {
    long product = 1;
    for (long size : shape) {
      product *= size;
    }
    return product;
  }
}
