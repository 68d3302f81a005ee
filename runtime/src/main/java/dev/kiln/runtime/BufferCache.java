package dev.kiln.runtime;

import java.util.function.LongFunction;

/**
 * A generated model's batch buffers for the two batch sizes used last: training alternates
 * between the full batch size and the last, smaller batch of an epoch, and neither should cause
 * a new allocation after the first epoch.
 */
public final class BufferCache<B> {

  private long recentSize = -1;
  private B recent;
  private long previousSize = -1;
  private B previous;

  /** The buffers for {@code batchSize}, made by {@code create} when neither cached size matches. */
  public B get(long batchSize, LongFunction<B> create) {
    if (batchSize == recentSize) {
      return recent;
    }
    B buffers = batchSize == previousSize ? previous : create.apply(batchSize);
    previous = recent;
    previousSize = recentSize;
    recent = buffers;
    recentSize = batchSize;
    return buffers;
  }
}
