package dev.kiln.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;

/**
 * Sums a step's shares by all-reduce through the block manager, as BigDL does: in a first job
 * every partition with samples in the batch computes its weighted gradient and stores it cut
 * into P slices ({@link SliceBlocks}); in a second job task i fetches slice i of every partition
 * and adds them in partition order, so the sum does not depend on arrival order nor on which
 * executor runs a task; the driver receives the P summed slices as the tasks' results and
 * removes the step's blocks. If a slice is gone (its executor was lost between the two jobs),
 * the driver computes the step again: its shares do not depend on the executor either.
 */
final class AllReduce {

  private static final int TRIES = 3;

  private final TrainingSet training;
  private final JavaRDD<Integer> slices;
  private final String run = UUID.randomUUID().toString().replace("-", "");

  AllReduce(JavaSparkContext spark, TrainingSet training) {
    this.training = training;
    int count = training.partitions();
    this.slices = spark.parallelize(IntStream.range(0, count).boxed().toList(), count);
  }

  /** The step's sum; {@code loseBlocks} drops the slices before the sum once (fault tests). */
  StepSum sum(StepTask task, long step, boolean failFirstAttempt, boolean loseBlocks,
      StepTraffic traffic, long parameterBytes) {
    for (int attempt = 0; attempt < TRIES; attempt++) {
      Shares shares = new Shares(task, run, step, attempt, training.partitions());
      List<Tuple2<Integer, StepSum>> contributions = training.shards()
          .mapPartitions(shares::store).collect();
      List<Tuple2<Integer, StepSum>> ordered = new ArrayList<>(contributions);
      ordered.sort(Comparator.comparing(Tuple2::_1));
      StepSum logs = StepSum.empty();
      int[] from = ordered.stream().filter(c -> c._2().samples() > 0)
          .mapToInt(Tuple2::_1).toArray();
      for (Tuple2<Integer, StepSum> contribution : ordered) {
        logs = logs.merge(contribution._2());
      }
      if (from.length == 0) {
        return logs; // none of the batch was found; the caller reports it
      }
      Summer summer = new Summer(run, step, attempt, from, failFirstAttempt,
          "DOUBLE".equals(training.dataType()));
      try {
        if (loseBlocks && attempt == 0) {
          shares.removeBlocks(from);
        }
        List<FlatVector> summed = slices.mapPartitionsWithIndex(summer::sum, false).collect();
        if (!summed.contains(null)) {
          FlatVector gradient = FlatVector.concat(summed.toArray(FlatVector[]::new));
          traffic.record(parameterBytes, gradient.bytes(), exchanged(gradient, from, summed));
          return StepSum.share(logs.samples(), logs.logs(), gradient);
        }
      } finally {
        shares.removeBlocks(from);
      }
    }
    throw new IllegalStateException("step " + step + ": gradient slices were lost " + TRIES
        + " times in a row (executors lost between the two jobs of the all-reduce); the cluster"
        + " is losing executors faster than a step runs");
  }

  /** Bytes of slices fetched from another partition's store: all but each slice's own. */
  private static long exchanged(FlatVector gradient, int[] from, List<FlatVector> summed) {
    long bytes = from.length * gradient.bytes();
    for (int partition : from) {
      bytes -= summed.get(partition).bytes();
    }
    return bytes;
  }

  /** The first job: each partition's share, stored as slices; its logs go to the driver. */
  private static final class Shares implements Serializable {

    private final StepTask task;
    private final String run;
    private final long step;
    private final int attempt;
    private final int slices;

    Shares(StepTask task, String run, long step, int attempt, int slices) {
      this.task = task;
      this.run = run;
      this.step = step;
      this.attempt = attempt;
      this.slices = slices;
    }

    Iterator<Tuple2<Integer, StepSum>> store(Iterator<Shard> shards) {
      Shard shard = shards.next();
      StepSum share = task.share(shard);
      if (share.samples() > 0) {
        FlatVector gradient = share.vector(0);
        for (int slice = 0; slice < slices; slice++) {
          SliceBlocks.put(SliceBlocks.id(run, step, attempt, shard.partition(), slice),
              gradient.encode(start(slice, gradient.length()), length(slice, gradient.length())));
        }
      }
      StepSum logs = StepSum.share(share.samples(), share.logs());
      return List.of(new Tuple2<>(shard.partition(), logs)).iterator();
    }

    /** Removes this step's slices from every executor (on the driver). */
    void removeBlocks(int[] from) {
      for (int partition : from) {
        for (int slice = 0; slice < slices; slice++) {
          SliceBlocks.remove(SliceBlocks.id(run, step, attempt, partition, slice));
        }
      }
    }

    int start(int slice, int length) {
      return slice * (length / slices) + Math.min(slice, length % slices);
    }

    int length(int slice, int length) {
      return length / slices + (slice < length % slices ? 1 : 0);
    }
  }

  /** The second job: task i sums slice i of every contributing partition, in partition order. */
  private static final class Summer implements Serializable {

    private final String run;
    private final long step;
    private final int attempt;
    private final int[] from;
    private final boolean failFirstAttempt;
    private final boolean doubles;

    Summer(String run, long step, int attempt, int[] from, boolean failFirstAttempt,
        boolean doubles) {
      this.run = run;
      this.step = step;
      this.attempt = attempt;
      this.from = from;
      this.failFirstAttempt = failFirstAttempt;
      this.doubles = doubles;
    }

    Iterator<FlatVector> sum(int slice, Iterator<Integer> ignored) {
      if (failFirstAttempt && TaskContext.get().attemptNumber() == 0) {
        throw new IllegalStateException("injected failure of the first attempt of the sum of"
            + " slice " + slice + " of step " + step);
      }
      FlatVector sum = null;
      for (int partition : from) {
        FlatVector part = SliceBlocks.fetch(
            SliceBlocks.id(run, step, attempt, partition, slice), doubles);
        if (part == null) {
          sum = null; // lost with its executor: the driver computes the step again
          break;
        }
        if (sum == null) {
          sum = part;
        } else {
          sum.add(part);
        }
      }
      List<FlatVector> result = new ArrayList<>(1);
      result.add(sum);
      return result.iterator();
    }
  }
}
