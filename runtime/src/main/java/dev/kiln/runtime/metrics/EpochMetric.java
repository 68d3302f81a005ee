package dev.kiln.runtime.metrics;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A metric whose value over an epoch is not a ratio of per-batch sums: Keras' stateful metrics
 * such as {@code AUC}, which ranks all the epoch's predictions together. One instance per epoch
 * (or evaluation) sees every batch, then gives the value.
 */
public interface EpochMetric {

  /** Adds a batch of predictions {@code p} and targets {@code y}. */
  void update(INDArray p, INDArray y);

  /** The value over every batch added so far; 0 before any. */
  double result();
}
