package dev.kiln.spark;

import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.NonFiniteLossException;
import dev.kiln.runtime.optim.Updater;
import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Local SGD, DL4J's parameter averaging: a round of K steps in which every shard trains its own
 * copy on its shares of K global batches, then a weighted average.
 *
 * <p>Optimizer state is explicit: the round starts every copy from the driver's parameters
 * <em>and</em> the driver's optimizer state (Adam's moments, RMSprop's and AdaGrad's squared
 * gradients), its iteration count and learning rate; at the end the driver's parameters and
 * each optimizer state array become the averages of the copies', weighted by the samples each
 * copy trained on, and the iteration count advances by K. With K = 1 and plain SGD this is the
 * synchronous step exactly (the weighted average of {@code w - lr g_p} is {@code w - lr} times
 * the whole batch's gradient); with K > 1 or an adaptive optimizer it is an approximation that
 * sends one exchange per K steps instead of one per step.
 */
final class LocalSgd {

  private LocalSgd() {}

  /** Runs steps {@code [firstStep, firstStep + length)} of the epoch as one round. */
  static StepSum round(KilnModel model, JavaSparkContext spark, TrainingSet training,
      Broadcast<int[]> order, int epoch, long firstGlobalStep, int firstStep, int length,
      int batch, SparkFitOptions options, StepTraffic traffic) {
    Updater updater = model.updater();
    List<INDArray> stateArrays = updater.stateArrays();
    FlatVector[] start = new FlatVector[1 + stateArrays.size()];
    start[0] = FlatVector.of(model.parameters());
    for (int i = 0; i < stateArrays.size(); i++) {
      start[i + 1] = FlatVector.of(stateArrays.get(i));
    }
    Broadcast<FlatVector[]> shared = spark.broadcast(start);
    try {
      RoundTask task = new RoundTask(training, order, shared, epoch, firstGlobalStep, firstStep,
          length, batch, updater.iterations(), updater.learningRate(), options.seed());
      StepSum sum = training.shards().treeAggregate(StepSum.empty(),
          (acc, shard) -> acc.merge(task.share(shard)), StepSum::merge, options.treeDepth());
      long bytes = Arrays.stream(start).mapToLong(FlatVector::bytes).sum();
      traffic.record(bytes, training.partitions() * bytes, 0);
      if (Double.isFinite(sum.loss())) {
        sum.mean(0).copyInto(model.parameters());
        for (int i = 0; i < stateArrays.size(); i++) {
          sum.mean(i + 1).copyInto(stateArrays.get(i));
        }
        updater.setIterations(updater.iterations() + length);
      }
      return sum;
    } finally {
      shared.destroy();
    }
  }

  /** A round as one shard runs it. */
  private static final class RoundTask implements Serializable {

    private final String modelClass;
    private final String dataType;
    private final SampleLayout layout;
    private final long[] firsts;
    private final int size;
    private final Broadcast<int[]> order;
    private final Broadcast<FlatVector[]> start;
    private final int epoch;
    private final long firstGlobalStep;
    private final int firstStep;
    private final int length;
    private final int batch;
    private final long iterations;
    private final double learningRate;
    private final long seed;

    RoundTask(TrainingSet training, Broadcast<int[]> order, Broadcast<FlatVector[]> start,
        int epoch, long firstGlobalStep, int firstStep, int length, int batch, long iterations,
        double learningRate, long seed) {
      this.modelClass = training.modelClass();
      this.dataType = training.dataType();
      this.layout = training.layout();
      this.firsts = training.firsts();
      this.size = training.size();
      this.order = order;
      this.start = start;
      this.epoch = epoch;
      this.firstGlobalStep = firstGlobalStep;
      this.firstStep = firstStep;
      this.length = length;
      this.batch = batch;
      this.iterations = iterations;
      this.learningRate = learningRate;
      this.seed = seed;
    }

    StepSum share(Shard shard) {
      KilnModel replica = Replicas.borrow(modelClass, dataType);
      try {
        FlatVector[] vectors = start.value();
        vectors[0].copyInto(replica.parameters());
        Updater updater = replica.updater();
        for (int i = 1; i < vectors.length; i++) {
          vectors[i].copyInto(updater.stateArrays().get(i - 1));
        }
        updater.setIterations(iterations);
        updater.setLearningRate(learningRate);
        Map<String, double[]> logs = new LinkedHashMap<>();
        long trained = 0;
        for (int k = 0; k < length; k++) {
          int step = firstStep + k;
          int[] rows = StepTask.rowsOf(order.value(), step * batch,
              Math.min(size, (step + 1) * batch), firsts[shard.partition()], shard.count());
          if (rows.length == 0) {
            continue;
          }
          replica.seedNoise(EpochOrder.noiseSeed(seed, epoch, firstGlobalStep + k,
              shard.partition()));
          INDArray[] arrays = shard.batch(rows, layout);
          INDArray[] inputs = Arrays.copyOfRange(arrays, 0, layout.inputCount());
          INDArray[] targets = Arrays.copyOfRange(arrays, layout.inputCount(), arrays.length);
          double loss = replica.computeGradients(inputs, targets);
          StepLogs.of(replica, loss, rows.length, targets).forEach((name, ratio) -> {
            double[] own = logs.computeIfAbsent(name, key -> new double[2]);
            own[0] += ratio[0];
            own[1] += ratio[1];
          });
          trained += rows.length;
          try {
            replica.applyGradients(replica.gradients(), loss);
          } catch (NonFiniteLossException e) {
            break; // the driver sees the NaN in the logs and stops
          }
        }
        if (trained == 0) {
          return StepSum.empty();
        }
        FlatVector[] weighted = new FlatVector[vectors.length];
        weighted[0] = FlatVector.scaled(replica.parameters(), trained);
        for (int i = 1; i < vectors.length; i++) {
          weighted[i] = FlatVector.scaled(updater.stateArrays().get(i - 1), trained);
        }
        return StepSum.share(trained, logs, weighted);
      } finally {
        Replicas.giveBack(replica);
      }
    }
  }
}
