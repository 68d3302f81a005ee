package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.runtime.Callback;
import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.History;
import dev.kiln.runtime.Verbosity;
import dev.kiln.runtime.testing.RandomArrays;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * {@code fit}, {@code predict}, {@code evaluate} and {@code save} on one model from several
 * threads at once: the fit's history and final parameters are those of the same fit alone, and
 * every other result is the one a single thread gets at some step of that fit. A second fit, of
 * any kind, is refused while one runs. Rounds alternate array and iterator fits; {@code
 * -Dkiln.stress.rounds=1000} runs the long variant (default 4).
 */
class ConcurrencyStressTest {

  private static final int ROUNDS = Integer.getInteger("kiln.stress.rounds", 4);
  private static final int BATCH = 8;

  @TempDir Path directory;

  private final INDArray x = RandomArrays.uniform(31, 48, 6).castTo(DataType.FLOAT);
  private final INDArray y = RandomArrays.oneHot(32, 48, 3).castTo(DataType.FLOAT);
  private final INDArray probe = RandomArrays.uniform(33, 20, 6).castTo(DataType.FLOAT);
  private final INDArray heldX = RandomArrays.uniform(34, 12, 6).castTo(DataType.FLOAT);
  private final INDArray heldY = RandomArrays.oneHot(35, 12, 3).castTo(DataType.FLOAT);

  @Test
  void everyResultFromSeveralThreadsIsOneOfASingleThreadedRun() throws Exception {
    Reference arrays = reference(false);
    Reference iterators = reference(true);
    AtomicInteger refusals = new AtomicInteger();
    for (int round = 0; round < ROUNDS; round++) {
      boolean iterator = round % 2 == 1;
      concurrentRound(round, iterator, iterator ? iterators : arrays, refusals);
    }
    assertTrue(refusals.get() > 0, "no second fit was tried while a fit ran");
  }

  @Test
  void aFitFromItsOwnCallbackIsRefused() {
    ClassifierModel model = ClassifierModel.create(5);
    List<String> refusals = new ArrayList<>();
    model.fit(ClassifierModel.data(x, y), options(false).callbacks(new Callback() {
      @Override
      public void onBatchEnd(int epoch, int step, Map<String, Double> logs) {
        refusals.add(assertThrows(IllegalStateException.class,
            () -> model.fit(batches(x, y), FitOptions.epochs(1))).getMessage());
      }
    }));
    assertEquals(18, refusals.size());
    assertTrue(refusals.get(0).contains("its own callback"), refusals.get(0));
  }

  /** What one thread sees: the results at every state of a fit, and the fit's own results. */
  private static final class Reference {
    final List<float[]> predictions = new ArrayList<>();
    final List<float[]> streamedPredictions = new ArrayList<>();
    final List<Map<String, Double>> scores = new ArrayList<>();
    final List<float[]> parameters = new ArrayList<>();
    History history;

    void record(ClassifierModel model, INDArray prediction, INDArray streamed,
        Map<String, Double> score) {
      predictions.add(vector(prediction));
      streamedPredictions.add(vector(streamed));
      scores.add(score);
      parameters.add(vector(model.parameters()));
    }
  }

  private Reference reference(boolean iterator) {
    ClassifierModel model = ClassifierModel.create(7);
    Reference reference = new Reference();
    Runnable record = () -> reference.record(model, model.predict(probe).output(),
        streamedPrediction(model), model.evaluate(ClassifierModel.data(heldX, heldY)).asMap());
    record.run();
    FitOptions options = options(iterator).callbacks(new Callback() {
      @Override
      public void onBatchEnd(int epoch, int step, Map<String, Double> logs) {
        record.run();
      }
    });
    reference.history = iterator
        ? model.fit(batches(x, y), options)
        : model.fit(ClassifierModel.data(x, y), options);
    return reference;
  }

  private void concurrentRound(
      int round, boolean iterator, Reference reference, AtomicInteger refusals) throws Exception {
    ClassifierModel model = ClassifierModel.create(7);
    AtomicBoolean running = new AtomicBoolean();
    AtomicBoolean finished = new AtomicBoolean();
    float[][] finalParameters = new float[1][];
    FitOptions options = options(iterator).callbacks(new Callback() {
      @Override
      public void onTrainBegin(Training training) {
        running.set(true);
      }

      @Override
      public void onTrainEnd(History history) {
        finalParameters[0] = vector(model.parameters());
        running.set(false);
      }
    });
    ExecutorService threads = Executors.newFixedThreadPool(6);
    try {
      Future<History> fit = threads.submit(() -> {
        try {
          return iterator
              ? model.fit(batches(x, y), options)
              : model.fit(ClassifierModel.data(x, y), options);
        } finally {
          finished.set(true);
        }
      });
      List<Future<Integer>> others = List.of(
          threads.submit(() -> until(finished, () -> {
            oneOf(reference.predictions, vector(model.predict(probe).output()), "predict");
          })),
          threads.submit(() -> until(finished, () -> {
            oneOf(reference.streamedPredictions, vector(streamedPrediction(model)),
                "predict(iterator)");
          })),
          threads.submit(() -> until(finished, () -> {
            Map<String, Double> scores = model.evaluate(ClassifierModel.data(heldX, heldY)).asMap();
            assertTrue(reference.scores.contains(scores), "evaluate gave " + scores
                + ", which a single thread never sees");
          })),
          threads.submit(() -> until(finished, () -> {
            Path file = Files.createTempFile(directory, "round" + round, ".kiln");
            model.save(file);
            ClassifierModel loaded = ClassifierModel.create(8);
            loaded.load(file);
            Files.delete(file);
            oneOf(reference.parameters, vector(loaded.parameters()), "save");
          })),
          threads.submit(() -> until(finished, () -> {
            secondFit(model, iterator, running, refusals);
          })));
      History history = fit.get(5, TimeUnit.MINUTES);
      for (Future<Integer> other : others) {
        assertTrue(other.get(5, TimeUnit.MINUTES) > 0);
      }
      assertEquals(reference.history.asMap(), history.asMap(), "round " + round + "'s history");
      assertTrue(Arrays.equals(reference.parameters.get(reference.parameters.size() - 1),
          finalParameters[0]), "round " + round + "'s final parameters");
    } finally {
      threads.shutdownNow();
    }
  }

  /**
   * A second fit of the other kind while the first runs must be refused. Its data are wrong, so
   * that should it slip past the guard (the first ending meanwhile) it fails before training and
   * leaves the model alone.
   */
  private void secondFit(ClassifierModel model, boolean iterator, AtomicBoolean running,
      AtomicInteger refusals) {
    boolean before = running.get();
    if (!before) {
      return; // not begun (a fit now would be the first) or ended
    }
    RuntimeException e = assertThrows(RuntimeException.class, () -> {
      if (iterator) {
        model.fit(ClassifierModel.data(x, y.getColumns(0, 1)), FitOptions.epochs(1));
      } else {
        model.fit(batches(x, y), FitOptions.epochs(1).validationSplit(0.5));
      }
    });
    if (running.get()) {
      if (!(e instanceof IllegalStateException)
          || !e.getMessage().contains("fit is already running")) {
        fail("a second fit beside a running one was not refused: " + e);
      }
      refusals.incrementAndGet();
    }
  }

  /** Runs {@code action} at least once and until {@code finished}; returns how many times. */
  private static int until(AtomicBoolean finished, Action action) throws Exception {
    int count = 0;
    do {
      action.run();
      count++;
    } while (!finished.get());
    return count;
  }

  @FunctionalInterface
  private interface Action {
    void run() throws Exception;
  }

  private FitOptions options(boolean iterator) {
    FitOptions options = FitOptions.epochs(3).verbosity(Verbosity.SILENT);
    return iterator
        ? options.validationData(batches(heldX, heldY))
        : options.batchSize(BATCH).seed(11).validationData(ClassifierModel.data(heldX, heldY));
  }

  private INDArray streamedPrediction(ClassifierModel model) {
    return model.predict(batches(probe, RandomArrays.oneHot(36, 20, 3).castTo(DataType.FLOAT)))[0];
  }

  /** A resettable iterator over {@code features} and {@code labels} in batches of 8. */
  private static ListIterators.DataSets batches(INDArray features, INDArray labels) {
    List<DataSet> list = new ArrayList<>();
    for (long from = 0; from < features.size(0); from += BATCH) {
      long to = Math.min(from + BATCH, features.size(0));
      list.add(new DataSet(features.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to)),
          labels.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to))));
    }
    return ListIterators.dataSets(list, true);
  }

  private static void oneOf(List<float[]> states, float[] result, String call) {
    for (float[] state : states) {
      if (Arrays.equals(state, result)) {
        return;
      }
    }
    fail(call + " gave a result that a single thread sees at no step of the fit");
  }

  private static float[] vector(INDArray array) {
    return array.dup().reshape(array.length()).toFloatVector();
  }
}
