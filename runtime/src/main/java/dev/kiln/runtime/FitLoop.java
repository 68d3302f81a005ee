package dev.kiln.runtime;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Keras' {@code fit}: epochs of shuffled batches, progress, validation, history, callbacks. */
final class FitLoop implements Callback.Training {

  private final KilnModel model;
  private final FitOptions options;
  private boolean stopRequested;

  FitLoop(KilnModel model, FitOptions options) {
    this.model = model;
    this.options = options;
  }

  History run(ModelData data) {
    CheckedData all = CheckedData.of(model, data, true);
    CheckedData train = all;
    CheckedData validation = null;
    if (options.validationData() != null) {
      validation = CheckedData.of(model, options.validationData(), true);
    } else if (options.validationSplit() > 0) {
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
      validation = all.rows(kept, all.size());
    }

    int samples = Math.toIntExact(train.size());
    int batchSize = Math.min(options.batchSize(), samples);
    int steps = (samples + batchSize - 1) / batchSize;
    BatchGather gather = new BatchGather(train);
    BatchLogs batchLogs = new BatchLogs(model);
    SplittableRandom random = new SplittableRandom(options.seed());
    PrintStream out = options.out();
    History history = new History();
    options.callbacks().forEach(callback -> callback.onTrainBegin(this));

    for (int epoch = 1; epoch <= options.epochs() && !stopRequested; epoch++) {
      int current = epoch;
      options.callbacks().forEach(callback -> callback.onEpochBegin(current));
      if (verbosity() != Verbosity.SILENT) {
        out.println("Epoch " + epoch + "/" + options.epochs());
      }
      ProgressBar progress = new ProgressBar(out, steps, verbosity() == Verbosity.PROGRESS_BAR);
      int[] order = order(samples, random);
      RunningMeans means = new RunningMeans();
      for (int step = 0; step < steps; step++) {
        int from = step * batchSize;
        BatchGather.Slot batch = gather.gather(order, from, Math.min(from + batchSize, samples));
        double loss;
        try {
          loss = model.trainOnBatch(batch.inputs, batch.targets);
        } catch (ArithmeticException e) {
          throw new ArithmeticException("epoch " + epoch + ", step " + (step + 1) + ": " + e.getMessage());
        }
        batchLogs.record(means, loss, batch.targets);
        Map<String, Double> running = means.means();
        int done = step + 1;
        options.callbacks().forEach(callback -> callback.onBatchEnd(current, done, running));
        progress.update(done, running);
      }
      Map<String, Double> logs = new LinkedHashMap<>(means.means());
      if (validation != null) {
        logs.putAll(Batches.evaluate(model, validation, batchSize, "val_").asMap());
      }
      if (verbosity() != Verbosity.SILENT) {
        progress.finish(logs);
      }
      history.append(logs);
      options.callbacks().forEach(callback -> callback.onEpochEnd(current, logs));
    }
    options.callbacks().forEach(callback -> callback.onTrainEnd(history));
    return history;
  }

  @Override
  public KilnModel model() {
    return model;
  }

  @Override
  public void stop() {
    stopRequested = true;
  }

  private Verbosity verbosity() {
    if (options.verbosity() != Verbosity.AUTO) {
      return options.verbosity();
    }
    return System.console() != null && options.out() == System.out
        ? Verbosity.PROGRESS_BAR
        : Verbosity.ONE_LINE_PER_EPOCH;
  }

  /** A new random order of the samples, or their own order when shuffling is off. */
  private int[] order(int samples, SplittableRandom random) {
    int[] order = new int[samples];
    for (int i = 0; i < samples; i++) {
      order[i] = i;
    }
    if (options.shuffle()) {
      for (int i = samples - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int swap = order[i];
        order[i] = order[j];
        order[j] = swap;
      }
    }
    return order;
  }
}
