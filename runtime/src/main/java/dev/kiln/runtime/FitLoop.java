package dev.kiln.runtime;

import dev.kiln.runtime.losses.SampleWeights;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' {@code fit}: epochs of batches, progress, validation, history, callbacks. The batches
 * come from samples in memory, shuffled every epoch, or from a DL4J iterator as it gives them.
 */
final class FitLoop implements Callback.Training {

  private final KilnModel model;
  private final FitOptions options;
  private final Verbosity verbosity;
  private ProgressBar progress;
  private boolean stopRequested;

  FitLoop(KilnModel model, FitOptions options) {
    if (options == null) {
      throw new IllegalArgumentException("fit options are null; use FitOptions.epochs(n)");
    }
    this.model = model;
    this.options = options;
    this.verbosity = verbosity(options);
  }

  /** Trains on samples in memory, validating on validation data or a split of the samples. */
  History run(ModelData data) {
    CheckedData all = CheckedData.of(model, data, true);
    CheckedData train = all;
    CheckedData heldOut = null;
    if (options.validation() == null && options.validationSplit() > 0) {
      long kept = (long) Math.floor(all.size() * (1 - options.validationSplit()));
      if (kept < 1 || kept == all.size()) {
        throw new IllegalArgumentException(
            "validation split "
                + options.validationSplit()
                + " of "
                + all.size()
                + " samples leaves no samples to train on or none to validate on");
      }
      train = all.rows(0, kept);
      heldOut = all.rows(kept, all.size());
    }
    ShuffledBatches batches =
        new ShuffledBatches(train, options.batchSize(), options.shuffle(), options.seed());
    Validation validation = heldOut != null
        ? Validation.heldOut(heldOut, batches.batchSize())
        : openValidation(batches.batchSize());
    return train(batches, validation);
  }

  /** Trains on the batches of a DL4J iterator, as it gives them, one pass per epoch. */
  History run(BatchStream<?> stream) {
    if (options.batchSizeGiven()) {
      throw new IllegalArgumentException(
          "batchSize(" + options.batchSize() + ") contradicts the iterator, which makes its own"
              + " batches; set the batch size on the iterator and drop batchSize");
    }
    if (options.validationSplit() > 0) {
      throw new IllegalArgumentException(
          "validationSplit needs the samples in memory; with an iterator, give validationData"
              + " (another iterator, or a DataSet)");
    }
    stream.requirePasses(options.epochs(), "fit for " + options.epochs() + " epochs");
    return train(stream, openValidation(options.batchSize()));
  }

  private Validation openValidation(int batchSize) {
    return options.validation() == null
        ? null
        : options.validation().open(model, batchSize, options.epochs());
  }

  private History train(TrainingBatches batches, Validation validation) {
    ClassWeights classWeights = options.classWeights().isEmpty()
        ? null
        : ClassWeights.of(model.spec(), options.classWeights());
    BatchLogs batchLogs = new BatchLogs(model);
    PrintStream out = options.out();
    History history = new History();
    synchronized (model) {
      if (options.optimizer() != null) {
        model.setUpdater(options.optimizer().create());
      }
      options.learningRate().ifPresent(rate -> model.updater().setLearningRate(rate));
      if (options.schedule() != null) {
        model.updater().setSchedule(options.schedule());
      }
      callbacks(callback -> callback.onTrainBegin(this));
    }

    for (int epoch = 1; epoch <= options.epochs() && !stopRequested; epoch++) {
      int current = epoch;
      synchronized (model) {
        callbacks(callback -> callback.onEpochBegin(current));
      }
      if (verbosity != Verbosity.SILENT) {
        out.println("Epoch " + epoch + "/" + options.epochs());
      }
      boolean live = verbosity == Verbosity.PROGRESS_BAR;
      progress = new ProgressBar(out, batches.steps(), live, ProgressBar.terminalColumns());
      RunningMeans means = new RunningMeans();
      batches.startEpoch();
      int step = 0;
      for (CheckedData batch = batches.next(); batch != null;
          batch = stopRequested ? null : batches.next()) {
        step++;
        Map<String, Double> running = step(current, step, batch, classWeights, batchLogs, means);
        progress.update(step, running);
      }
      Map<String, Double> logs = new LinkedHashMap<>(means.means());
      synchronized (model) {
        if (validation != null) {
          logs.putAll(validation.score(model).asMap());
        }
        if (verbosity != Verbosity.SILENT) {
          progress.finish(logs);
        }
        callbacks(callback -> callback.onEpochEnd(current, logs));
      }
      history.append(logs);
    }
    synchronized (model) {
      callbacks(callback -> callback.onTrainEnd(history));
    }
    return history;
  }

  /**
   * One step under the model's lock, from the update to the metrics read from its forward pass
   * and the callbacks on them, so that no other call's pass comes in between; returns the running
   * means of the epoch.
   */
  private Map<String, Double> step(int epoch, int step, CheckedData batch,
      ClassWeights classWeights, BatchLogs batchLogs, RunningMeans means) {
    synchronized (model) {
      double loss;
      String refusal = null;
      try {
        loss = trainOn(batch, classWeights);
      } catch (NonFiniteLossException e) {
        loss = e.loss();
        refusal = e.getMessage();
      }
      batchLogs.record(means, loss, batch.targets);
      Map<String, Double> running = means.means();
      callbacks(callback -> callback.onBatchEnd(epoch, step, running));
      if (!Double.isFinite(loss) && !stopRequested) {
        String reason = refusal != null
            ? refusal
            : "the loss became " + loss + "; lower the learning rate or check the data";
        throw new ArithmeticException("epoch " + epoch + ", step " + step + ": " + reason
            + " (with the TerminateOnNaN callback, fit stops there and returns the history)");
      }
      return running;
    }
  }

  /**
   * One step; each sample's loss weighs its sample weight times what its class weighs, as in
   * Keras, where class weights are given.
   */
  private double trainOn(CheckedData batch, ClassWeights classWeights) {
    INDArray weights = batch.weights;
    if (classWeights != null) {
      INDArray byClass = classWeights.sampleWeights(batch.targets[0]);
      weights = weights == null ? byClass : byClass.muli(weights);
    }
    if (weights == null) {
      return model.trainOnBatch(batch.inputs, batch.targets);
    }
    return SampleWeights.during(weights, () -> model.trainOnBatch(batch.inputs, batch.targets));
  }

  private void callbacks(Consumer<Callback> call) {
    options.callbacks().forEach(call);
  }

  @Override
  public KilnModel model() {
    return model;
  }

  @Override
  public void stop() {
    stopRequested = true;
  }

  @Override
  public void log(String message) {
    if (verbosity == Verbosity.SILENT) {
      return;
    }
    if (progress != null) {
      progress.interrupt();
    }
    options.out().println(message);
  }

  private static Verbosity verbosity(FitOptions options) {
    if (options.verbosity() != Verbosity.AUTO) {
      return options.verbosity();
    }
    return System.console() != null && options.out() == System.out
        ? Verbosity.PROGRESS_BAR
        : Verbosity.ONE_LINE_PER_EPOCH;
  }
}
