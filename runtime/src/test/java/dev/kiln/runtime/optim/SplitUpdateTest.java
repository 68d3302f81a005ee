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
 * A buffer long enough to be updated in two halves at once, on two threads, ends exactly where
 * the same buffer updated in one pass on one thread ends, for every rule, whether it is one
 * region or many short ones (the halves cut through a region).
 */
class SplitUpdateTest {

  private static final int LENGTH = (int) Updater.SPLIT_LENGTH + 1001;

  @ParameterizedTest
  @EnumSource(Optimizer.class)
  void halvesGiveWhatOnePassGives(Optimizer optimizer) {
    float[] start = random(1);
    float[][] gradients = {random(2), random(3), random(4)};

    List<ParameterRegion> oneRegion =
        List.of(new ParameterRegion(0, LENGTH, ParameterRegion.Role.WEIGHT));
    List<ParameterRegion> shortRegions = new ArrayList<>();
    for (long offset = 0; offset < LENGTH; offset += 1000) {
      shortRegions.add(new ParameterRegion(offset, Math.min(1000, LENGTH - offset), ParameterRegion.Role.WEIGHT));
    }
    float[] whole = run(optimizer, start, gradients, oneRegion, false);
    float[] split = run(optimizer, start, gradients, oneRegion, true);
    float[] shortSplit = run(optimizer, start, gradients, shortRegions, true);

    assertArrayEquals(whole, split, optimizer.name());
    assertArrayEquals(whole, shortSplit, optimizer.name() + " in short regions");
  }

  private static float[] run(Optimizer optimizer, float[] start, float[][] gradients,
      List<ParameterRegion> regions, boolean twoThreads) {
    Updater updater = Updaters.create(optimizer, Updaters.defaultLearningRate(optimizer));
    updater.twoThreads = twoThreads;
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
