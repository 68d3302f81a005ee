package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Verbosity;
import dev.kiln.runtime.optim.Sgd;
import dev.kiln.runtime.testing.RandomArrays;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Bad input at run time: each case gets an exception that names the input and says what was
 * expected and what was given, and leaves the model's parameters and optimizer state as they
 * were. The README's table of hostile inputs lists these cases.
 */
class HostileInputsTest {

  private final MlpModel mlp = MlpModel.create(1);
  private final INDArray x = floats(2, 8, 784);
  private final INDArray y = RandomArrays.oneHot(3, 8, 10).castTo(DataType.FLOAT);

  @Test
  void wrongRank() {
    refused(mlp, () -> mlp.trainStep(floats(4, 8, 28, 28), y),
        "input 'input' expects shape (None, 784) but was given (8, 28, 28)");
  }

  @Test
  void wrongFeatureShape() {
    refused(mlp, () -> mlp.predict(floats(5, 8, 785)),
        "input 'input' expects shape (None, 784) but was given (8, 785)");
  }

  @Test
  void targetOfTheWrongShape() {
    refused(mlp, () -> mlp.trainStep(x, floats(6, 8, 9)),
        "target for output 'output' expects shape (None, 10) but was given (8, 9)");
  }

  @Test
  void inputsAndTargetsOfDifferentBatchSizes() {
    refused(mlp, () -> mlp.trainStep(x, RandomArrays.oneHot(7, 5, 10).castTo(DataType.FLOAT)),
        "target for output 'output' has 5 samples but input 'input' has 8");
  }

  @Test
  void twoInputsOfDifferentBatchSizes() {
    MultipleInputsModel model = MultipleInputsModel.create(1);
    refused(model, () -> model.predict(floats(8, 4, 64, 64, 1), floats(9, 3, 32, 32, 3)),
        "input 'rgbSmall' has 3 samples but input 'grayBig' has 4");
  }

  @Test
  void noSamples() {
    refused(mlp, () -> mlp.predict(Nd4j.zeros(DataType.FLOAT, 0, 784)),
        "input 'input' holds no samples");
  }

  @Test
  void nanInAnInput() {
    INDArray bad = x.dup();
    bad.putScalar(new long[] {5, 300}, Double.NaN);
    refused(mlp, () -> mlp.trainStep(bad, y), "input 'input' holds NaN in sample 5 of 8");
  }

  @Test
  void infinityInATarget() {
    INDArray bad = y.dup();
    bad.putScalar(new long[] {2, 1}, Double.POSITIVE_INFINITY);
    refused(mlp, () -> mlp.fit(MlpModel.data(x, bad), FitOptions.epochs(1)),
        "target for output 'output' holds Infinity in sample 2 of 8");
  }

  @Test
  void floatsForAnEmbeddingsTokenIds() {
    TokensAndFramesModel model = TokensAndFramesModel.create(1);
    refused(model, () -> model.predict(floats(10, 2, 6), floats(11, 2, 3, 5, 5, 1)),
        "input 'tokens' holds INT32 token ids but was given a FLOAT array");
  }

  @Test
  void tokenIdPastTheVocabulary() {
    TokensAndFramesModel model = TokensAndFramesModel.create(1);
    INDArray tokens = Nd4j.createFromArray(new int[][] {{0, 1, 2, 3, 4, 5}, {6, 7, 8, 9, 0, 1}});
    refused(model, () -> model.predict(tokens, floats(12, 2, 3, 5, 5, 1)),
        "input 'tokens' holds 9 in sample 1 of 2, but token ids (the Embedding's inputDim) must be"
            + " in [0, 9)");
  }

  @Test
  void classIndexPastTheClasses() {
    SparseSequenceModel model = SparseSequenceModel.create(1);
    INDArray labels = Nd4j.createFromArray(new int[][] {{0, 4, 2}, {1, 5, 3}});
    refused(model, () -> model.trainStep(floats(13, 2, 3, 4), labels),
        "target for output 'label' holds 5 in sample 1 of 2, but class indices must be in [0, 5)");
  }

  @Test
  void negativeClassIndex() {
    SparseSequenceModel model = SparseSequenceModel.create(1);
    INDArray labels = Nd4j.createFromArray(new int[][] {{0, 4, 2}, {1, -1, 3}});
    refused(model, () -> model.trainStep(floats(14, 2, 3, 4), labels),
        "holds -1 in sample 1 of 2, but class indices must be in [0, 5)");
  }

  @Test
  void nullInput() {
    refused(mlp, () -> mlp.predict((INDArray) null), "input 'input' is null");
  }

  @Test
  void lossThatBecomesInfiniteStopsFitBeforeTheParametersChange() {
    MlpModel model = MlpModel.create(2);
    model.setUpdater(new Sgd(1e12));
    // One huge step sends the softmax to 0 and 1; the next loss is infinite or NaN.
    INDArray big = floats(15, 8, 784).muli(100);
    Snapshot before = new Snapshot(model);
    ArithmeticException e =
        assertThrows(
            ArithmeticException.class,
            () -> model.fit(MlpModel.data(big, y),
                FitOptions.epochs(3).batchSize(8).shuffle(false).verbosity(Verbosity.SILENT)));
    assertTrue(e.getMessage().matches("epoch 2, step 1: the loss of this batch is .*; the"
        + " parameters were not updated.*"), e.getMessage());
    assertTrue(Double.isFinite(model.parameters().sumNumber().doubleValue()), "parameters stayed finite");
    assertTrue(!before.matches(model), "the first, finite step did update the model");
  }

  @Test
  void concurrentFitsOnOneModelAreRefused() throws Exception {
    MlpModel model = MlpModel.create(3);
    CountDownLatch started = new CountDownLatch(1);
    INDArray many = floats(16, 512, 784);
    INDArray labels = RandomArrays.oneHot(17, 512, 10).castTo(DataType.FLOAT);
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try {
      Future<?> first = executor.submit(() -> model.fit(MlpModel.data(many, labels),
          FitOptions.epochs(3).batchSize(8).verbosity(Verbosity.SILENT).callbacks(
              new dev.kiln.runtime.Callback() {
                @Override
                public void onBatchEnd(int epoch, int step, java.util.Map<String, Double> logs) {
                  started.countDown();
                }
              })));
      started.await();
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> model.fit(MlpModel.data(x, y), FitOptions.epochs(1)));
      assertTrue(e.getMessage().contains("fit is already running"), e.getMessage());
      first.get();
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void predictionsFromSeveralThreadsAreThoseOfOneThread() throws Exception {
    MlpModel model = MlpModel.create(4);
    List<INDArray> inputs = new ArrayList<>();
    List<INDArray> expected = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      INDArray input = floats(20 + i, 16 + i, 784);
      inputs.add(input);
      expected.add(model.predict(input).output());
    }
    ExecutorService executor = Executors.newFixedThreadPool(4);
    try {
      List<Future<INDArray>> results = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        for (INDArray input : inputs) {
          results.add(executor.submit(() -> model.predict(input).output()));
        }
      }
      for (int i = 0; i < results.size(); i++) {
        assertTrue(ModelChecks.sameBits(expected.get(i % 8), results.get(i).get()),
            "prediction " + i + " differs from the single-threaded one");
      }
    } finally {
      executor.shutdownNow();
    }
  }

  /** Asserts {@code call} throws IllegalArgumentException saying {@code message}, changing nothing. */
  private static void refused(KilnModel model, Executable call, String message) {
    Snapshot before = new Snapshot(model);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains(message), "message: " + e.getMessage());
    assertTrue(before.matches(model), "the model changed");
  }

  private static INDArray floats(long seed, long... shape) {
    return RandomArrays.uniform(seed, shape).castTo(DataType.FLOAT);
  }

  /** Parameters, optimizer state and step count, to compare bit for bit. */
  private static final class Snapshot {
    private final INDArray parameters;
    private final List<INDArray> state = new ArrayList<>();
    private final long iterations;

    Snapshot(KilnModel model) {
      parameters = model.parameters().dup();
      model.updater().stateArrays().forEach(array -> state.add(array.dup()));
      iterations = model.updater().iterations();
    }

    boolean matches(KilnModel model) {
      if (!ModelChecks.sameBits(parameters, model.parameters())
          || iterations != model.updater().iterations()) {
        return false;
      }
      for (int i = 0; i < state.size(); i++) {
        if (!ModelChecks.sameBits(state.get(i), model.updater().stateArrays().get(i))) {
          return false;
        }
      }
      assertEquals(state.size(), model.updater().stateArrays().size());
      return true;
    }
  }
}
