package dev.kiln.spark;

import java.util.SplittableRandom;

/**
 * The order in which an epoch visits the training samples, by global index: a permutation drawn
 * from the seed and the epoch number alone, so the driver, a retried task and a single-machine
 * reference all see the same global batches.
 */
public final class EpochOrder {

  private EpochOrder() {}

  /** The visiting order of epoch {@code epoch} (from 1) of {@code samples} samples. */
  public static int[] of(long seed, int epoch, int samples, boolean shuffle) {
    int[] order = new int[samples];
    for (int i = 0; i < samples; i++) {
      order[i] = i;
    }
    if (shuffle) {
      SplittableRandom random = new SplittableRandom(mix(seed, epoch));
      for (int i = samples - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int swap = order[i];
        order[i] = order[j];
        order[j] = swap;
      }
    }
    return order;
  }

  /** A seed for one step's training noise (dropout) on the shard starting at {@code first}. */
  static long noiseSeed(long seed, int epoch, long step, long first) {
    return mix(mix(mix(seed, epoch), step), first);
  }

  static long mix(long seed, long value) {
    return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + value).nextLong();
  }
}
