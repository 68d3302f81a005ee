package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.History;
import dev.kiln.runtime.Verbosity;
import dev.kiln.runtime.testing.RandomArrays;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.ViewIterator;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * DL4J's DataSet, MultiDataSet and their iterators in fit, evaluate and predict: the same
 * batches give the same bits as the typed data, and every batch is checked as it arrives.
 */
class DataPipelinesTest {

  private static final FitOptions QUIET = FitOptions.epochs(2).verbosity(Verbosity.SILENT);

  private final INDArray x = floats(RandomArrays.uniform(1, 20, 6));
  private final INDArray y = floats(RandomArrays.oneHot(2, 20, 3));
  private final INDArray validationX = floats(RandomArrays.uniform(3, 10, 6));
  private final INDArray validationY = floats(RandomArrays.oneHot(4, 10, 3));

  @Test
  void dataSetTrainsBitForBitAsTheTypedData() {
    FitOptions options = QUIET.batchSize(8).shuffle(false);
    ClassifierModel typed = ClassifierModel.create(5);
    INDArray initial = typed.parameters().dup();
    History expected = typed.fit(ClassifierModel.data(x, y),
        options.validationData(ClassifierModel.data(validationX, validationY)));
    ClassifierModel dl4j = ClassifierModel.create(5);
    History history = dl4j.fit(new DataSet(x, y),
        options.validationData(new DataSet(validationX, validationY)));

    assertFalse(ModelChecks.sameBits(initial, typed.parameters()), "nothing was trained");
    assertTrue(ModelChecks.sameBits(typed.parameters(), dl4j.parameters()));
    assertEquals(expected.asMap(), history.asMap());
  }

  @Test
  void dataSetIteratorTrainsBitForBitAsTheTypedDataInTheSameBatches() {
    ClassifierModel typed = ClassifierModel.create(6);
    History expected = typed.fit(ClassifierModel.data(x, y),
        QUIET.batchSize(8).shuffle(false)
            .validationData(ClassifierModel.data(validationX, validationY)));
    ClassifierModel dl4j = ClassifierModel.create(6);
    // DL4J's own iterator: batches of 8, 8 and 4, reset for the second epoch.
    History history = dl4j.fit(new ViewIterator(new DataSet(x, y), 8),
        QUIET.validationData(new ViewIterator(new DataSet(validationX, validationY), 8)));

    assertTrue(ModelChecks.sameBits(typed.parameters(), dl4j.parameters()));
    assertEquals(expected.asMap(), history.asMap());
  }

  @Test
  void multiDataSetsTrainAModelOfTwoInputsAndTwoOutputsAsTheTypedData() {
    INDArray left = floats(RandomArrays.uniform(7, 20, 4));
    INDArray right = floats(RandomArrays.uniform(8, 20, 3));
    INDArray flag = floats(RandomArrays.uniform(9, 20, 1).gt(0).castTo(DataType.DOUBLE));
    TwoByTwoModel typed = TwoByTwoModel.create(10);
    History expected = typed.fit(TwoByTwoModel.data(left, right, y, flag),
        QUIET.batchSize(8).shuffle(false));

    TwoByTwoModel inMemory = TwoByTwoModel.create(10);
    History fromMultiDataSet = inMemory.fit(
        new org.nd4j.linalg.dataset.MultiDataSet(
            new INDArray[] {left, right}, new INDArray[] {y, flag}),
        QUIET.batchSize(8).shuffle(false));
    assertTrue(ModelChecks.sameBits(typed.parameters(), inMemory.parameters()));
    assertEquals(expected.asMap(), fromMultiDataSet.asMap());

    TwoByTwoModel streamed = TwoByTwoModel.create(10);
    ListIterators.MultiDataSets batches =
        ListIterators.multiDataSets(multiBatches(left, right, y, flag, 8), true);
    History fromIterator = streamed.fit(batches, QUIET);
    assertTrue(ModelChecks.sameBits(typed.parameters(), streamed.parameters()));
    assertEquals(expected.asMap(), fromIterator.asMap());
    assertEquals(1, batches.resets(), "one reset, before the second epoch");
  }

  @Test
  void evaluateAndPredictStreamAnIteratorAsTheyDoTheArrays() {
    ClassifierModel model = ClassifierModel.create(11);
    model.fit(ClassifierModel.data(x, y), QUIET);
    assertEquals(model.evaluate(ClassifierModel.data(x, y), 8).asMap(),
        model.evaluate(new ViewIterator(new DataSet(x, y), 8)).asMap());
    assertEquals(model.evaluate(ClassifierModel.data(x, y), 8).asMap(),
        model.evaluate(new DataSet(x, y), 8).asMap());

    INDArray expected = model.predict(x, 8).output();
    assertTrue(ModelChecks.sameBits(
        expected, model.predict(new ViewIterator(new DataSet(x, y), 8))[0]));
    assertTrue(ModelChecks.sameBits(expected, model.predict(new DataSet(x, null), 8)[0]));

    List<DataSet> batches = dataSetBatches(x, y, 8);
    List<DataSet> seen = new ArrayList<>();
    List<INDArray> outputs = new ArrayList<>();
    model.predict(ListIterators.dataSets(batches, false), (batch, out) -> {
      seen.add(batch);
      outputs.add(out[0]);
    });
    assertEquals(3, seen.size());
    for (int i = 0; i < 3; i++) {
      assertSame(batches.get(i), seen.get(i), "the consumer gets the iterator's own batch");
      long from = 8L * i;
      INDArray rows = expected.get(NDArrayIndex.interval(from, Math.min(from + 8, 20)));
      assertTrue(ModelChecks.sameBits(rows, outputs.get(i)), "outputs of batch " + (i + 1));
    }
  }

  @Test
  void predictionsOfAModelOfTwoOutputsComeInDeclarationOrder() {
    INDArray left = floats(RandomArrays.uniform(12, 20, 4));
    INDArray right = floats(RandomArrays.uniform(13, 20, 3));
    TwoByTwoModel model = TwoByTwoModel.create(14);
    TwoByTwoModel.Outputs expected = model.predict(left, right, 8);
    INDArray[] streamed = model.predict(ListIterators.multiDataSets(
        multiBatches(left, right, y, floats(RandomArrays.uniform(15, 20, 1)), 8), false));
    assertTrue(ModelChecks.sameBits(expected.kind(), streamed[0]));
    assertTrue(ModelChecks.sameBits(expected.flag(), streamed[1]));
  }

  @Test
  void anIteratorThatCannotResetTrainsOneEpochOnlyAndSaysWhy() {
    ClassifierModel model = ClassifierModel.create(16);
    ListIterators.DataSets once = ListIterators.dataSets(dataSetBatches(x, y, 8), false);
    assertMessage(() -> model.fit(once, QUIET), "fit for 2 epochs", "resetSupported()");
    History history = model.fit(once, QUIET.withEpochs(1));
    assertEquals(1, history.epochs());
    assertMessage(() -> model.evaluate(once), "exhausted", "resetSupported()");

    ListIterators.DataSets validation = ListIterators.dataSets(dataSetBatches(x, y, 8), false);
    assertMessage(() -> model.fit(new DataSet(x, y), QUIET.validationData(validation)),
        "validating after each of 2 epochs", "resetSupported()");
  }

  @Test
  void anExhaustedIteratorThatCanResetStartsOver() {
    ClassifierModel model = ClassifierModel.create(17);
    ListIterators.DataSets batches = ListIterators.dataSets(dataSetBatches(x, y, 8), true);
    while (batches.hasNext()) {
      batches.next();
    }
    assertEquals(model.evaluate(ClassifierModel.data(x, y), 8).asMap(),
        model.evaluate(batches).asMap());
    assertEquals(1, batches.resets());
  }

  @Test
  void everyBatchIsCheckedWithTheUsualMessageAndItsNumber() {
    ClassifierModel model = ClassifierModel.create(18);
    List<DataSet> batches = new ArrayList<>(dataSetBatches(x, y, 8));
    batches.set(1, new DataSet(floats(RandomArrays.uniform(19, 8, 5)), batches.get(1).getLabels()));
    assertMessage(() -> model.fit(ListIterators.dataSets(batches, true), QUIET),
        "batch 2 of the DataSetIterator: "
            + "input 'input' expects shape (None, 6) but was given (8, 5)");
    INDArray sevenTargets = floats(RandomArrays.uniform(20, 7, 3));
    batches.set(1, new DataSet(batches.get(0).getFeatures(), sevenTargets));
    assertMessage(() -> model.evaluate(ListIterators.dataSets(batches, true)),
        "batch 2 of the DataSetIterator: target for output 'output' has 7 samples");
    assertMessage(() -> model.fit(ListIterators.dataSets(List.of(), true), QUIET),
        "the DataSetIterator gave no batches");
  }

  @Test
  void theIteratorDecidesTheBatchesSoBatchSizeAndSplitAreErrors() {
    ClassifierModel model = ClassifierModel.create(21);
    assertMessage(() -> model.fit(new ViewIterator(new DataSet(x, y), 8), QUIET.batchSize(16)),
        "batchSize(16)", "set the batch size on the iterator");
    assertMessage(
        () -> model.fit(new ViewIterator(new DataSet(x, y), 8), QUIET.validationSplit(0.2)),
        "validationSplit", "validationData");
  }

  @Test
  void dataSetsThatDoNotFitTheModelSayWhatWould() {
    TwoByTwoModel twoInputs = TwoByTwoModel.create(22);
    assertMessage(() -> twoInputs.fit(new DataSet(x, y), QUIET),
        "the DataSet holds one feature array", "2 inputs [left, right]", "MultiDataSet");
    assertMessage(() -> twoInputs.predict(new org.nd4j.linalg.dataset.MultiDataSet(x, y)),
        "the MultiDataSet has 1 feature arrays", "[left, right]");
    ClassifierModel model = ClassifierModel.create(23);
    assertMessage(() -> model.fit(new DataSet(x, null), QUIET), "the DataSet has no labels");
    DataSet masked = new DataSet(x, y, x.getColumn(0).reshape(20, 1), null);
    assertMessage(() -> model.fit(masked, QUIET), "mask arrays", "pad or bucket");
    DataSet perOutputUnit = new DataSet(x, y, null, y.dup());
    assertMessage(() -> model.fit(perOutputUnit, QUIET), "labels mask of shape (20, 3)",
        "per-example mask");
  }

  @Test
  void theProgressOfAnIteratorsFirstEpochCountsTheStepsSeen() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    ClassifierModel.create(24).fit(new ViewIterator(new DataSet(x, y), 8),
        FitOptions.epochs(2).verbosity(Verbosity.ONE_LINE_PER_EPOCH).printTo(out));
    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals("Epoch 1/2", lines[0]);
    assertTrue(lines[1].startsWith("3/3 - "), lines[1]);
    assertTrue(lines[3].startsWith("3/3 - "), lines[3]);
  }

  @Test
  void fitCanSetTheLearningRate() {
    ClassifierModel overridden = ClassifierModel.create(25);
    overridden.fit(ClassifierModel.data(x, y), QUIET.learningRate(0.5).shuffle(false));
    ClassifierModel manual = ClassifierModel.create(25);
    manual.updater().setLearningRate(0.5);
    manual.fit(ClassifierModel.data(x, y), QUIET.shuffle(false));
    ClassifierModel plain = ClassifierModel.create(25);
    plain.fit(ClassifierModel.data(x, y), QUIET.shuffle(false));

    assertEquals(0.5, overridden.updater().learningRate(), 0.0);
    assertTrue(ModelChecks.sameBits(manual.parameters(), overridden.parameters()));
    assertFalse(ModelChecks.sameBits(plain.parameters(), overridden.parameters()));
  }

  static INDArray floats(INDArray array) {
    return array.castTo(DataType.FLOAT);
  }

  /** Consecutive batches of {@code size} samples, the last one smaller. */
  static List<DataSet> dataSetBatches(INDArray x, INDArray y, int size) {
    List<DataSet> batches = new ArrayList<>();
    for (long from = 0; from < x.size(0); from += size) {
      long to = Math.min(from + size, x.size(0));
      batches.add(new DataSet(rows(x, from, to), rows(y, from, to)));
    }
    return batches;
  }

  private static List<MultiDataSet> multiBatches(
      INDArray left, INDArray right, INDArray kind, INDArray flag, int size) {
    List<MultiDataSet> batches = new ArrayList<>();
    for (long from = 0; from < left.size(0); from += size) {
      long to = Math.min(from + size, left.size(0));
      batches.add(new org.nd4j.linalg.dataset.MultiDataSet(
          new INDArray[] {rows(left, from, to), rows(right, from, to)},
          new INDArray[] {rows(kind, from, to), rows(flag, from, to)}));
    }
    return batches;
  }

  private static INDArray rows(INDArray array, long from, long to) {
    return array.get(NDArrayIndex.interval(from, to)).dup();
  }

  static void assertMessage(Executable call, String... words) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    for (String word : words) {
      assertTrue(e.getMessage().contains(word), e.getMessage());
    }
  }
}
