package dev.kiln.examples;

import static dev.kiln.examples.DataPipelinesTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.History;
import dev.kiln.runtime.Verbosity;
import dev.kiln.runtime.testing.RandomArrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Class weights in {@code fit}, against Keras' definition: with plain SGD, a weight of 2 on a
 * class moves the parameters as its samples given twice would, once the step is scaled by the
 * batch sizes (Keras divides the weighted sum by the batch size, not by the sum of weights).
 */
class ClassWeightsTrainingTest {

  private static final FitOptions ONE_BATCH =
      FitOptions.epochs(1).shuffle(false).verbosity(Verbosity.SILENT);

  private final INDArray x = RandomArrays.uniform(1, 12, 6);
  private final INDArray y = RandomArrays.oneHot(2, 12, 3);

  @Test
  void weightTwoOnAClassEqualsDuplicatingItsSamples() {
    List<Long> ofClassOne = new ArrayList<>();
    for (long row = 0; row < 12; row++) {
      if (y.getDouble(row, 1) == 1) {
        ofClassOne.add(row);
      }
    }
    int n = 12;
    int k = ofClassOne.size();
    assertTrue(k > 0 && k < n, "the samples need class 1 and others");
    long[] duplicated = new long[n + k];
    for (int i = 0; i < n; i++) {
      duplicated[i] = i;
    }
    for (int i = 0; i < k; i++) {
      duplicated[n + i] = ofClassOne.get(i);
    }
    INDArray xTwice = Nd4j.pullRows(x, 1, toInts(duplicated));
    INDArray yTwice = Nd4j.pullRows(y, 1, toInts(duplicated));

    double rate = 0.1;
    ClassifierModel weighted = ClassifierModel.create(3, DataType.DOUBLE);
    History weightedHistory = weighted.fit(ClassifierModel.data(x, y),
        ONE_BATCH.batchSize(n).learningRate(rate).classWeights(Map.of(1, 2.0)));
    ClassifierModel twice = ClassifierModel.create(3, DataType.DOUBLE);
    History twiceHistory = twice.fit(ClassifierModel.data(xTwice, yTwice),
        ONE_BATCH.batchSize(n + k).learningRate(rate * (n + k) / n));

    // The loss of the one step, before it: sum(w * loss) / n against sum(loss) / (n + k).
    assertEquals(twiceHistory.last("loss") * (n + k) / n, weightedHistory.last("loss"), 1e-12);
    INDArray difference = weighted.parameters().sub(twice.parameters());
    assertEquals(0, difference.amaxNumber().doubleValue(), 1e-14, "parameters after the step");
    ClassifierModel unweighted = ClassifierModel.create(3, DataType.DOUBLE);
    unweighted.fit(ClassifierModel.data(x, y), ONE_BATCH.batchSize(n).learningRate(rate));
    assertTrue(unweighted.parameters().sub(weighted.parameters()).amaxNumber().doubleValue() > 1e-6,
        "the weight made no difference");
  }

  @Test
  void weightsOfOneTrainBitForBitAsNoWeights() {
    ClassifierModel plain = ClassifierModel.create(4);
    plain.fit(ClassifierModel.data(x.castTo(DataType.FLOAT), y.castTo(DataType.FLOAT)),
        ONE_BATCH.withEpochs(2).batchSize(5));
    ClassifierModel ones = ClassifierModel.create(4);
    ones.fit(ClassifierModel.data(x.castTo(DataType.FLOAT), y.castTo(DataType.FLOAT)),
        ONE_BATCH.withEpochs(2).batchSize(5).classWeights(1, 1, 1));
    assertTrue(ModelChecks.sameBits(plain.parameters(), ones.parameters()));
  }

  @Test
  void validationScoresAreNotWeighted() {
    ClassifierModel model = ClassifierModel.create(5, DataType.DOUBLE);
    INDArray validationX = RandomArrays.uniform(6, 9, 6);
    INDArray validationY = RandomArrays.oneHot(7, 9, 3);
    History history = model.fit(ClassifierModel.data(x, y),
        ONE_BATCH.batchSize(4).classWeights(5, 0.1, 3)
            .validationData(ClassifierModel.data(validationX, validationY)));
    double unweighted =
        model.evaluate(ClassifierModel.data(validationX, validationY), 4).get("loss");
    assertEquals(unweighted, history.last("val_loss"), 0.0);
  }

  @Test
  void classWeightsStreamWithAnIterator() {
    ClassifierModel inMemory = ClassifierModel.create(8);
    INDArray xf = x.castTo(DataType.FLOAT);
    INDArray yf = y.castTo(DataType.FLOAT);
    inMemory.fit(ClassifierModel.data(xf, yf), ONE_BATCH.batchSize(5).classWeights(1, 4, 1));
    ClassifierModel streamed = ClassifierModel.create(8);
    streamed.fit(ListIterators.dataSets(DataPipelinesTest.dataSetBatches(xf, yf, 5), true),
        ONE_BATCH.classWeights(1, 4, 1));
    assertTrue(ModelChecks.sameBits(inMemory.parameters(), streamed.parameters()));
    ClassifierModel plain = ClassifierModel.create(8);
    plain.fit(ClassifierModel.data(xf, yf), ONE_BATCH.batchSize(5));
    assertFalse(ModelChecks.sameBits(plain.parameters(), streamed.parameters()));
  }

  @Test
  void aModelOfTwoOutputsRefusesClassWeightsAsKerasDoes() {
    TwoByTwoModel model = TwoByTwoModel.create(9);
    INDArray left = RandomArrays.uniform(10, 6, 4);
    INDArray right = RandomArrays.uniform(11, 6, 3);
    INDArray kind = RandomArrays.oneHot(12, 6, 3);
    INDArray flag = RandomArrays.uniform(13, 6, 1).gt(0).castTo(DataType.DOUBLE);
    assertMessage(
        () -> model.fit(TwoByTwoModel.data(left, right, kind, flag), ONE_BATCH.classWeights(1, 2)),
        "one output", "[kind, flag]", "setLossWeight");
  }

  private static int[] toInts(long[] values) {
    int[] ints = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      ints[i] = (int) values[i];
    }
    return ints;
  }
}
