package dev.kiln.spark;

/**
 * The payload bytes of the last step: parameters broadcast to the executors and gradients sent
 * back, counted from the flat vectors (Spark's framing and compression aside).
 */
final class StepTraffic {

  private long broadcastBytes;
  private long gatheredBytes;

  /** A step that broadcast {@code sent} bytes and summed {@code shares} vectors of {@code each}. */
  void record(long sent, int shares, long each) {
    broadcastBytes = sent;
    gatheredBytes = shares * each;
  }

  /** Bytes of parameters (and optimizer state) the driver broadcast, once per executor. */
  long broadcastBytes() {
    return broadcastBytes;
  }

  /** Bytes of gradients (or parameters) the shards sent into the sum, at most one per partition. */
  long gatheredBytes() {
    return gatheredBytes;
  }
}
