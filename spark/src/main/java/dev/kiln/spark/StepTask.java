package dev.kiln.spark;

import dev.kiln.runtime.KilnModel;
import java.io.Serializable;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One synchronous step as an executor sees it: the global batch is positions {@code [from, to)}
 * of the epoch's order; each shard computes the mean gradient of the samples of that batch it
 * holds, with the broadcast parameters, and weighs it by their count.
 */
final class StepTask implements Serializable {

  private final String modelClass;
  private final String dataType;
  private final SampleLayout layout;
  private final Broadcast<int[]> order;
  private final Broadcast<FlatVector> parameters;
  private final int epoch;
  private final long step;
  private final int from;
  private final int to;
  private final long seed;
  private final boolean failFirstAttempt;
  private final long[] firsts;

  StepTask(TrainingSet training, Broadcast<int[]> order, Broadcast<FlatVector> parameters,
      int epoch, long step, int from, int to, long seed, boolean failFirstAttempt) {
    this.modelClass = training.modelClass();
    this.dataType = training.dataType();
    this.layout = training.layout();
    this.order = order;
    this.parameters = parameters;
    this.epoch = epoch;
    this.step = step;
    this.from = from;
    this.to = to;
    this.seed = seed;
    this.failFirstAttempt = failFirstAttempt;
    this.firsts = training.firsts();
  }

  /** The shard's share of the step, or an empty sum if none of the batch is on it. */
  StepSum share(Shard shard) {
    if (failFirstAttempt && TaskContext.get() != null && TaskContext.get().attemptNumber() == 0) {
      throw new IllegalStateException("injected failure of the first attempt of step " + step);
    }
    int[] rows = rowsOf(shard);
    if (rows.length == 0) {
      return StepSum.empty();
    }
    KilnModel replica = Replicas.borrow(modelClass, dataType);
    try {
      parameters.value().copyInto(replica.parameters());
      replica.seedNoise(EpochOrder.noiseSeed(seed, epoch, step, shard.partition()));
      INDArray[] batch = shard.batch(rows, layout);
      INDArray[] inputs = java.util.Arrays.copyOfRange(batch, 0, layout.inputCount());
      INDArray[] targets = java.util.Arrays.copyOfRange(batch, layout.inputCount(), batch.length);
      double loss = replica.computeGradients(inputs, targets);
      return StepSum.share(rows.length, StepLogs.of(replica, loss, rows.length, targets),
          FlatVector.scaled(replica.gradients(), rows.length));
    } finally {
      Replicas.giveBack(replica);
    }
  }

  /** The shard's rows of this step's samples, in the order the epoch visits them. */
  private int[] rowsOf(Shard shard) {
    return rowsOf(order.value(), from, to, firsts[shard.partition()], shard.count());
  }

  /**
   * The rows of a shard (global indices {@code [first, first + count)}) among positions {@code
   * [from, to)} of an epoch's order, in that order.
   */
  static int[] rowsOf(int[] order, int from, int to, long first, int count) {
    long end = first + count;
    int[] rows = new int[to - from];
    int found = 0;
    for (int position = from; position < to; position++) {
      int index = order[position];
      if (index >= first && index < end) {
        rows[found++] = (int) (index - first);
      }
    }
    return java.util.Arrays.copyOf(rows, found);
  }
}
