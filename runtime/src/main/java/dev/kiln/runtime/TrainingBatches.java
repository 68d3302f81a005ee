package dev.kiln.runtime;

/** Where {@code fit} takes its training batches from, an epoch at a time. */
interface TrainingBatches {

  /** The steps of an epoch, or -1 while unknown (an iterator before its first pass ends). */
  long steps();

  /** Prepares the batches of the next epoch. */
  void startEpoch();

  /** The next batch of the epoch, checked; null when the epoch is over. */
  CheckedData next();
}
