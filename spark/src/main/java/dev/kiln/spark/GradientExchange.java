package dev.kiln.spark;

/**
 * How the workers' gradients of a synchronous step are summed. Both give the step one machine
 * takes with the whole batch; they differ in who moves how many bytes (README, "Training on
 * Spark", has the measurements).
 */
public enum GradientExchange {

  /**
   * Spark's {@code treeAggregate}: every partition's whole gradient travels up a tree of partial
   * sums to the driver, which receives P vectors at depth 2 (fewer with a deeper tree). One
   * Spark job per step. The default: with two workers the two exchanges measured alike here,
   * and this one needs one job per step and Spark's public API only.
   */
  TREE_AGGREGATE,

  /**
   * BigDL's all-reduce through Spark's block manager: every partition cuts its gradient into P
   * slices and stores them in its executor's block manager; task i of a second job fetches
   * slice i from every partition, sums them in partition order and returns the sum, so the driver
   * receives one vector's worth of bytes and each worker moves about 2M(P-1)/P. Two Spark jobs
   * per step; worth it from about 2 + F/V workers (README's scaling model).
   */
  ALL_REDUCE
}
