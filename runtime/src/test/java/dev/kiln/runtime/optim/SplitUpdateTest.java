package dev.kiln.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.Optimizer;
import dev.kiln.runtime.NdArrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A region long enough to be updated in two halves at once ends exactly where the same buffer
 * updated region by region in short regions ends, for every rule.
 */
class SplitUpdateTest {

  private static final int LENGTH = (int) Updater.SPLIT_LENGTH + 1001;

  @ParameterizedTest
  @EnumSource(Optimizer.class)
  void halvesGiveWhatOnePassGives(Optimizer optimizer) {
    float[] start = random(1);
    float[][] gradients = {random(2), random(3), random(4)};

    float[] split = run(optimizer, start, gradients, List.of(new ParameterRegion(0, LENGTH,
        ParameterRegion.Role.WEIGHT)));
    List<ParameterRegion> shortRegions = new ArrayList<>();
    for (long offset = 0; offset < LENGTH; offset += 1000) {
      shortRegions.add(new ParameterRegion(offset, Math.min(1000, LENGTH - offset), ParameterRegion.Role.WEIGHT));
    }
    float[] whole = run(optimizer, start, gradients, shortRegions);

    assertArrayEquals(whole, split, optimizer.name());
  }

  private static float[] run(Optimizer optimizer, float[] start, float[][] gradients,
      List<ParameterRegion> regions) {
    Updater updater = Updaters.create(optimizer, Updaters.defaultLearningRate(optimizer));
    updater.attach(LENGTH, DataType.FLOAT);
    updater.describeParameters(regions);
    INDArray parameters = NdArrays.zeros(DataType.FLOAT, LENGTH);
    parameters.assign(org.nd4j.linalg.factory.Nd4j.createFromArray(start));
    INDArray gradientBuffer = NdArrays.zeros(DataType.FLOAT, LENGTH);
    for (float[] gradient : gradients) {
      gradientBuffer.assign(org.nd4j.linalg.factory.Nd4j.createFromArray(gradient));
      updater.step(parameters, gradientBuffer);
    }
    return parameters.toFloatVector();
  }

  private static float[] random(long seed) {
    Random random = new Random(seed);
    float[] values = new float[LENGTH];
    for (int i = 0; i < LENGTH; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return values;
  }
}
