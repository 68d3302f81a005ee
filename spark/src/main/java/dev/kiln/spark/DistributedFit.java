package dev.kiln.spark;

import dev.kiln.runtime.Callback;
import dev.kiln.runtime.History;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.NonFiniteLossException;
import dev.kiln.runtime.ProgressBar;
import dev.kiln.runtime.Verbosity;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * The driver's side of a distributed {@code fit}: epochs of global batches, each step (or, with
 * local SGD, each round of steps) one Spark job over the cached shards; progress lines,
 * callbacks, validation and the history on the driver, the updates applied to the driver's
 * model.
 */
final class DistributedFit implements Callback.Training {

  private final KilnModel model;
  private final SparkFitOptions options;
  private final JavaSparkContext spark;
  private final Verbosity verbosity;
  private final StepTraffic traffic = new StepTraffic();
  private ProgressBar progress;
  private AllReduce allReduce;
  private boolean stopRequested;

  DistributedFit(KilnModel model, SparkFitOptions options, JavaSparkContext spark) {
    this.model = model;
    this.options = options;
    this.spark = spark;
    this.verbosity = options.verbosity() != Verbosity.AUTO
        ? options.verbosity()
        : System.console() != null && options.out() == System.out
            ? Verbosity.PROGRESS_BAR
            : Verbosity.ONE_LINE_PER_EPOCH;
  }

  History run(TrainingSet training, Validator validator) {
    options.learningRate().ifPresent(rate -> model.updater().setLearningRate(rate));
    int batch = options.batchSize();
    int steps = (training.size() + batch - 1) / batch;
    int roundLength = Math.max(1, options.averageEvery());
    PrintStream out = options.out();
    History history = new History();
    callbacks(callback -> callback.onTrainBegin(this));
    if (options.initialEpoch() >= options.epochs()) {
      throw new IllegalArgumentException("initialEpoch " + options.initialEpoch()
          + " leaves no epoch to train of " + options.epochs());
    }
    long globalStep = (long) options.initialEpoch() * steps;
    allReduce = options.gradientExchange() == GradientExchange.ALL_REDUCE
        && options.averageEvery() == 0 ? new AllReduce(spark, training) : null;
    for (int epoch = options.initialEpoch() + 1; epoch <= options.epochs() && !stopRequested;
        epoch++) {
      int current = epoch;
      callbacks(callback -> callback.onEpochBegin(current));
      if (verbosity != Verbosity.SILENT) {
        out.println("Epoch " + epoch + "/" + options.epochs());
      }
      progress = new ProgressBar(out, steps, verbosity == Verbosity.PROGRESS_BAR, ProgressBar.terminalColumns());
      Broadcast<int[]> order = spark.broadcast(
          EpochOrder.of(options.seed(), epoch, training.size(), options.shuffle()));
      Map<String, double[]> epochSums = new LinkedHashMap<>();
      int step = 0;
      while (step < steps && !stopRequested) {
        int length = Math.min(roundLength, steps - step);
        StepSum sum;
        String refusal = null;
        double loss;
        if (options.averageEvery() == 0) {
          sum = synchronousStep(training, order, epoch, globalStep + 1, step * batch,
              Math.min(training.size(), (step + 1) * batch));
          loss = sum.loss();
          try {
            model.applyGradients(sum.mean(0).toArray(), loss);
          } catch (NonFiniteLossException e) {
            refusal = e.getMessage();
          }
        } else {
          sum = LocalSgd.round(model, spark, training, order, epoch, globalStep + 1, step, length,
              batch, options, traffic);
          loss = sum.loss();
        }
        step += length;
        globalStep += length;
        sum.logs().forEach((name, ratio) -> {
          double[] own = epochSums.computeIfAbsent(name, key -> new double[2]);
          own[0] += ratio[0];
          own[1] += ratio[1];
        });
        Map<String, Double> running = means(epochSums);
        int done = step;
        callbacks(callback -> callback.onBatchEnd(current, done, running));
        if (!Double.isFinite(loss) && !stopRequested) {
          String reason = refusal != null
              ? refusal
              : "the loss became " + loss + "; lower the learning rate or check the data";
          order.destroy();
          throw new ArithmeticException("epoch " + epoch + ", step " + step + ": " + reason
              + " (with the TerminateOnNaN callback, fit stops there and returns the history)");
        }
        progress.update(step, running);
      }
      order.destroy();
      Map<String, Double> logs = new LinkedHashMap<>(means(epochSums));
      if (validator != null) {
        validator.score(model).forEach((name, value) -> logs.put("val_" + name, value));
      }
      if (verbosity != Verbosity.SILENT) {
        progress.finish(logs);
      }
      callbacks(callback -> callback.onEpochEnd(current, logs));
      history.append(logs);
    }
    callbacks(callback -> callback.onTrainEnd(history));
    return history;
  }

  /** The bytes the last steps moved, for the benchmark. */
  StepTraffic traffic() {
    return traffic;
  }

  /** One synchronous step: broadcast, every shard's share, their sum by tree or all-reduce. */
  private StepSum synchronousStep(
      TrainingSet training, Broadcast<int[]> order, int epoch, long step, int from, int to) {
    FlatVector parameters = FlatVector.of(model.parameters());
    Broadcast<FlatVector> shared = spark.broadcast(parameters);
    try {
      boolean failFirstAttempt = step == options.failFirstAttemptOfStep();
      StepTask task = new StepTask(training, order, shared, epoch, step, from, to,
          options.seed(), failFirstAttempt);
      StepSum sum;
      if (allReduce != null) {
        sum = allReduce.sum(task, step, failFirstAttempt, step == options.loseSliceBlocksOfStep(),
            traffic, parameters.bytes());
      } else {
        sum = Aggregation.sum(training, task, options.treeDepth());
        traffic.record(parameters.bytes(), training.partitions() * parameters.bytes(), 0);
      }
      if (sum.samples() != to - from) {
        throw new IllegalStateException(
            "step " + step + " gathered " + sum.samples() + " samples but its batch has "
                + (to - from) + "; the training RDD gave different samples when recomputed");
      }
      return sum;
    } finally {
      shared.destroy();
    }
  }

  private static Map<String, Double> means(Map<String, double[]> sums) {
    Map<String, Double> means = new LinkedHashMap<>();
    sums.forEach((name, sum) -> means.put(name, sum[1] == 0 ? 0 : sum[0] / sum[1]));
    return means;
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
}
