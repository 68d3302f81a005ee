package dev.kiln.spark;

/**
 * Sums the shards' shares of a step with Spark's tree aggregation: partial sums are added on the
 * executors, level by level, and the driver receives a few vectors instead of one per partition.
 */
final class Aggregation {

  private Aggregation() {}

  static StepSum sum(TrainingSet training, StepTask task, int depth) {
    // Static, so the functions capture the task alone, not an enclosing driver object.
    return training.shards().treeAggregate(
        StepSum.empty(), (sum, shard) -> sum.merge(task.share(shard)), StepSum::merge, depth);
  }
}
