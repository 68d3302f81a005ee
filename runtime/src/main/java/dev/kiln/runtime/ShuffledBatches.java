package dev.kiln.runtime;

import java.util.SplittableRandom;

/**
 * Batches of samples held in memory, in a new random order every epoch (or in their own order
 * when shuffling is off), gathered into buffers reused from epoch to epoch.
 */
final class ShuffledBatches implements TrainingBatches {

  private final int samples;
  private final int batchSize;
  private final boolean shuffle;
  private final SplittableRandom random;
  private final BatchGather gather;
  private final int[] order;
  private int from;

  ShuffledBatches(CheckedData data, int batchSize, boolean shuffle, long seed) {
    this.samples = Math.toIntExact(data.size());
    this.batchSize = Math.min(batchSize, samples);
    this.shuffle = shuffle;
    this.random = new SplittableRandom(seed);
    this.gather = new BatchGather(data);
    this.order = new int[samples];
  }

  /** The batch size in use: the one asked for, or all samples if they are fewer. */
  int batchSize() {
    return batchSize;
  }

  @Override
  public long steps() {
    return (samples + batchSize - 1) / batchSize;
  }

  @Override
  public void startEpoch() {
    for (int i = 0; i < samples; i++) {
      order[i] = i;
    }
    if (shuffle) {
      for (int i = samples - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int swap = order[i];
        order[i] = order[j];
        order[j] = swap;
      }
    }
    from = 0;
  }

  @Override
  public CheckedData next() {
    if (from >= samples) {
      return null;
    }
    int to = Math.min(from + batchSize, samples);
    CheckedData batch = gather.gather(order, from, to).batch;
    from = to;
    return batch;
  }
}
