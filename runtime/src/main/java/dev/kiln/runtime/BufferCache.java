package dev.kiln.runtime;

/**
 * A generated model's batch buffers for the two shapes used last, a shape being a batch size and,
 * for sequence models of variable length, a number of steps. Training alternates between the
 * full batch size and the last, smaller batch of an epoch, and neither should cause a new
 * allocation after the first epoch.
 */
public final class BufferCache<B> {

  /** Makes the buffers for one shape. */
  @FunctionalInterface
  public interface Factory<B> {
    B create(long batchSize, long steps);
  }

  private long recentSize = -1;
  private long recentSteps = -1;
  private B recent;
  private long previousSize = -1;
  private long previousSteps = -1;
  private B previous;

  /** The buffers for {@code batchSize} samples of {@code steps} steps (0 without a steps axis). */
  public B get(long batchSize, long steps, Factory<B> create) {
    if (batchSize == recentSize && steps == recentSteps) {
      return recent;
    }
    boolean hit = batchSize == previousSize && steps == previousSteps;
    B buffers = hit ? previous : create.create(batchSize, steps);
    previous = recent;
    previousSize = recentSize;
    previousSteps = recentSteps;
    recent = buffers;
    recentSize = batchSize;
    recentSteps = steps;
    return buffers;
  }

  /** The buffers this cache holds for {@code batchSize} samples without a steps axis, or null. */
  public B peek(long batchSize) {
    if (batchSize == recentSize && recentSteps == 0) {
      return recent;
    }
    return batchSize == previousSize && previousSteps == 0 ? previous : null;
  }

  /** The buffers for {@code batchSize} samples, for models without a steps axis. */
  public B get(long batchSize, java.util.function.LongFunction<B> create) {
    return get(batchSize, 0, (size, steps) -> create.apply(size));
  }
}
