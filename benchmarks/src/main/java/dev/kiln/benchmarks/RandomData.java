package dev.kiln.benchmarks;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Seeded synthetic batches. Time per step does not depend on the values (no kernel of these
 * networks branches on data in a way that changes its cost), so random inputs in [0, 1) and
 * random one-hot targets stand in for real images and labels.
 */
final class RandomData {

  private final java.util.Random random;

  RandomData(long seed) {
    this.random = new java.util.Random(seed);
  }

  /** float32 values uniform in [0, 1), of {@code shape}, row-major. */
  INDArray uniform(long... shape) {
    INDArray array = Nd4j.create(DataType.FLOAT, shape, 'c');
    float[] values = new float[(int) array.length()];
    for (int i = 0; i < values.length; i++) {
      values[i] = random.nextFloat();
    }
    return array.assign(Nd4j.createFromArray(values).reshape('c', shape));
  }

  /** float32 one-hot rows over the last axis of {@code shape}: one 1 per row, at random. */
  INDArray oneHot(long... shape) {
    INDArray array = Nd4j.create(DataType.FLOAT, shape, 'c');
    int classes = (int) shape[shape.length - 1];
    float[] values = new float[(int) array.length()];
    for (int row = 0; row < values.length / classes; row++) {
      values[row * classes + random.nextInt(classes)] = 1;
    }
    return array.assign(Nd4j.createFromArray(values).reshape('c', shape));
  }

  /** float32 zeros and ones at random: targets of a sigmoid output. */
  INDArray bits(long... shape) {
    INDArray array = Nd4j.create(DataType.FLOAT, shape, 'c');
    float[] values = new float[(int) array.length()];
    for (int i = 0; i < values.length; i++) {
      values[i] = random.nextBoolean() ? 1 : 0;
    }
    return array.assign(Nd4j.createFromArray(values).reshape('c', shape));
  }

  /** int32 token ids uniform in [0, vocabulary), of {@code shape}. */
  INDArray tokens(int vocabulary, long... shape) {
    int[] values = new int[(int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
    for (int i = 0; i < values.length; i++) {
      values[i] = random.nextInt(vocabulary);
    }
    return Nd4j.createFromArray(values).reshape('c', shape);
  }
}
