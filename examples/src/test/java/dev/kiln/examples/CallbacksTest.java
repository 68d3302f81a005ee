package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.Callback;
import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.History;
import dev.kiln.runtime.Verbosity;
import dev.kiln.runtime.callbacks.CSVLogger;
import dev.kiln.runtime.callbacks.EarlyStopping;
import dev.kiln.runtime.callbacks.LearningRateScheduler;
import dev.kiln.runtime.callbacks.ModelCheckpoint;
import dev.kiln.runtime.callbacks.ReduceLROnPlateau;
import dev.kiln.runtime.callbacks.TerminateOnNaN;
import dev.kiln.runtime.testing.RandomArrays;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The ready-made callbacks in real fits of a small generated model. */
class CallbacksTest {

  private static final FitOptions QUIET =
      FitOptions.epochs(6).batchSize(8).shuffle(false).verbosity(Verbosity.SILENT);

  private final INDArray x = RandomArrays.uniform(1, 20, 6).castTo(DataType.FLOAT);
  private final INDArray y = RandomArrays.oneHot(2, 20, 3).castTo(DataType.FLOAT);

  @TempDir Path directory;

  /** Puts a scripted {@code val_loss} in each epoch's logs and keeps each epoch's parameters. */
  private static final class ScriptedValidation implements Callback {
    private final double[] curve;
    private final List<INDArray> parameters = new ArrayList<>();
    private Training training;

    ScriptedValidation(double... curve) {
      this.curve = curve;
    }

    @Override
    public void onTrainBegin(Training training) {
      this.training = training;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
      logs.put("val_loss", curve[epoch - 1]);
      parameters.add(training.model().parameters().dup());
    }

    /** The parameters at the end of {@code epoch} (from 1). */
    INDArray after(int epoch) {
      return parameters.get(epoch - 1);
    }
  }

  @Test
  void earlyStoppingRestoresTheBestEpochsWeightsBitForBit() {
    ScriptedValidation script = new ScriptedValidation(0.9, 0.5, 0.7, 0.8, 0.95, 0.1);
    EarlyStopping stopping = new EarlyStopping().patience(2).restoreBestWeights(true);
    ClassifierModel model = ClassifierModel.create(3);
    History history = model.fit(ClassifierModel.data(x, y), QUIET.callbacks(script, stopping));

    // Best: epoch 2; epochs 3 and 4 do not improve, so training stops after epoch 4.
    assertEquals(4, history.epochs());
    assertEquals(4, stopping.stoppedEpoch());
    assertEquals(2, stopping.bestEpoch());
    assertEquals(List.of(0.9, 0.5, 0.7, 0.8), history.get("val_loss"));
    assertFalse(ModelChecks.sameBits(script.after(2), script.after(4)), "training moved on");
    assertTrue(ModelChecks.sameBits(script.after(2), model.parameters()), "best weights restored");
  }

  @Test
  void earlyStoppingWithoutRestoringKeepsTheLastWeights() {
    ScriptedValidation script = new ScriptedValidation(0.9, 0.5, 0.7, 0.8, 0.95, 0.1);
    ClassifierModel model = ClassifierModel.create(3);
    model.fit(ClassifierModel.data(x, y), QUIET.callbacks(script, new EarlyStopping().patience(2)));
    assertTrue(ModelChecks.sameBits(script.after(4), model.parameters()));
  }

  @Test
  void modelCheckpointFilesReloadToTheSamePredictions() throws IOException {
    ClassifierModel model = ClassifierModel.create(4);
    model.fit(ClassifierModel.data(x, y), QUIET.withEpochs(3).callbacks(
        new ModelCheckpoint(directory.resolve("model-{epoch:02d}-{loss:.3f}.kiln"))));
    List<String> names;
    try (Stream<Path> files = Files.list(directory)) {
      names = files.map(file -> file.getFileName().toString()).sorted().toList();
    }
    assertEquals(3, names.size(), names.toString());
    assertTrue(names.get(0).matches("model-01-\\d\\.\\d{3}\\.kiln"), names.toString());
    assertTrue(names.get(2).startsWith("model-03-"), names.toString());

    ClassifierModel restored = ClassifierModel.create(5);
    assertFalse(ModelChecks.sameBits(model.predict(x).output(), restored.predict(x).output()));
    restored.load(directory.resolve(names.get(2)));
    assertTrue(ModelChecks.sameBits(model.predict(x).output(), restored.predict(x).output()));
  }

  @Test
  void modelCheckpointSavesOnlyTheBestEpochWhenAsked() throws IOException {
    ScriptedValidation script = new ScriptedValidation(0.9, 0.5, 0.7, 0.4, 0.6, 0.8);
    Path best = directory.resolve("best.kiln");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ClassifierModel model = ClassifierModel.create(6);
    model.fit(ClassifierModel.data(x, y), QUIET
        .verbosity(Verbosity.ONE_LINE_PER_EPOCH)
        .printTo(new PrintStream(bytes, true, StandardCharsets.UTF_8))
        .callbacks(script, new ModelCheckpoint(best).saveBestOnly(true).verbose(true)));

    ClassifierModel restored = ClassifierModel.create(7);
    restored.load(best);
    assertTrue(ModelChecks.sameBits(script.after(4), restored.parameters()), "epoch 4 is best");
    String output = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(output.contains("Epoch 4: val_loss improved from 0.5 to 0.4, saving model to "
        + best), output);
    assertTrue(output.contains("Epoch 5: val_loss did not improve from 0.4"), output);
  }

  @Test
  void learningRateSchedulerTrainsEachEpochAtItsRate() {
    ClassifierModel scheduled = ClassifierModel.create(8);
    History history = scheduled.fit(ClassifierModel.data(x, y), QUIET.withEpochs(3).callbacks(
        new LearningRateScheduler((epoch, rate) -> 0.4 / epoch)));
    // The same three epochs, one fit each, with the rate set by hand in between.
    ClassifierModel manual = ClassifierModel.create(8);
    for (int epoch = 1; epoch <= 3; epoch++) {
      manual.updater().setLearningRate(0.4 / epoch);
      manual.fit(ClassifierModel.data(x, y), QUIET.withEpochs(1));
    }
    assertTrue(ModelChecks.sameBits(manual.parameters(), scheduled.parameters()));
    assertEquals(List.of(0.4, 0.2, 0.4 / 3), history.get("learning_rate"));
  }

  @Test
  void reduceLrOnPlateauLowersTheRateOfTheNextEpochs() {
    ScriptedValidation script = new ScriptedValidation(0.9, 0.9, 0.9, 0.9, 0.9, 0.9);
    ClassifierModel model = ClassifierModel.create(9);
    History history = model.fit(ClassifierModel.data(x, y),
        QUIET.callbacks(script, new ReduceLROnPlateau().patience(2).factor(0.5)));
    // The rate in use during each epoch, as logged: halved after epochs 3 and 5.
    assertEquals(List.of(0.1, 0.1, 0.1, 0.05, 0.05, 0.025), history.get("learning_rate"));
    assertEquals(0.025, model.updater().learningRate(), 0.0);
  }

  @Test
  void terminateOnNaNStopsAtTheFirstNaNAndReturnsTheHistory() {
    List<Integer> steps = new ArrayList<>();
    Callback countSteps = new Callback() {
      @Override
      public void onBatchEnd(int epoch, int step, Map<String, Double> logs) {
        steps.add(step);
      }
    };
    TerminateOnNaN terminate = new TerminateOnNaN();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ClassifierModel model = ClassifierModel.create(10);
    History history = model.fit(ClassifierModel.data(x, y),
        QUIET.verbosity(Verbosity.ONE_LINE_PER_EPOCH)
            .printTo(new PrintStream(bytes, true, StandardCharsets.UTF_8))
            .callbacks(poisonAfterFirstStep(model), countSteps, terminate));

    assertEquals(1, history.epochs());
    assertTrue(Double.isNaN(history.last("loss")));
    assertEquals(List.of(1, 2), steps, "no step after the NaN");
    assertEquals(2, terminate.stoppedStep());
    String output = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(output.contains("Epoch 1, step 2: invalid loss NaN, terminating training"), output);
    assertTrue(output.contains("\n2/3 - "), "the epoch's line shows the steps taken: " + output);

    ClassifierModel unguarded = ClassifierModel.create(10);
    ArithmeticException e = assertThrows(ArithmeticException.class,
        () -> unguarded.fit(ClassifierModel.data(x, y),
            QUIET.callbacks(poisonAfterFirstStep(unguarded))));
    assertTrue(e.getMessage().contains("epoch 1, step 2"), e.getMessage());
    assertTrue(e.getMessage().contains("parameters were not updated"), e.getMessage());
    assertTrue(e.getMessage().contains("TerminateOnNaN"), e.getMessage());
  }

  /** The data is refused if it holds NaN, so the NaN enters through the weights instead. */
  private static Callback poisonAfterFirstStep(ClassifierModel model) {
    return new Callback() {
      @Override
      public void onBatchEnd(int epoch, int step, Map<String, Double> logs) {
        if (step == 1) {
          model.parameters().assign(Double.NaN);
        }
      }
    };
  }

  @Test
  void aCallbackThatStopsInABatchEndsTheEpochThere() {
    Callback stopAfterOneStep = new Callback() {
      private Training training;

      @Override
      public void onTrainBegin(Training training) {
        this.training = training;
      }

      @Override
      public void onBatchEnd(int epoch, int step, Map<String, Double> logs) {
        training.stop();
      }
    };
    ClassifierModel stopped = ClassifierModel.create(11);
    History history = stopped.fit(ClassifierModel.data(x, y), QUIET.callbacks(stopAfterOneStep));
    ClassifierModel oneStep = ClassifierModel.create(11);
    oneStep.trainStep(x.get(NDArrayIndex.interval(0, 8)), y.get(NDArrayIndex.interval(0, 8)));
    assertEquals(1, history.epochs());
    assertTrue(ModelChecks.sameBits(oneStep.parameters(), stopped.parameters()));
  }

  @Test
  void csvLoggerWritesOneKerasRowPerEpoch() throws IOException {
    Path log = directory.resolve("training.csv");
    History history = ClassifierModel.create(12).fit(ClassifierModel.data(x, y),
        QUIET.withEpochs(2).validationData(ClassifierModel.data(x, y)).callbacks(
            new LearningRateScheduler((epoch, rate) -> rate), new CSVLogger(log)));
    List<String> lines = List.of(Files.readString(log).split("\r\n"));
    assertEquals("epoch,accuracy,learning_rate,loss,val_accuracy,val_loss", lines.get(0));
    assertEquals(3, lines.size(), lines.toString());
    String[] second = lines.get(2).split(",");
    assertEquals("1", second[0], "Keras numbers epochs from 0 in its log");
    assertEquals(history.get("loss").get(1), Double.parseDouble(second[3]), 0.0);
    assertEquals(history.get("val_accuracy").get(1), Double.parseDouble(second[4]), 0.0);
  }
}
