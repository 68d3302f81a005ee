package dev.kiln.spark;

/**
 * The payload bytes of the last step: parameters broadcast to the executors and gradients sent
 * back, counted from the flat vectors (Spark's framing and compression aside).
 */
final class StepTraffic {

  private long broadcastBytes;
  private long gatheredBytes;
  private long exchangedBytes;

  /**
   * A step that broadcast {@code sent} bytes, in which the driver received {@code gathered} bytes
   * and the workers fetched {@code exchanged} bytes from one another.
   */
  void record(long sent, long gathered, long exchanged) {
    broadcastBytes = sent;
    gatheredBytes = gathered;
    exchangedBytes = exchanged;
  }

  /** Bytes of parameters (and optimizer state) the driver broadcast, once per executor. */
  long broadcastBytes() {
    return broadcastBytes;
  }

  /** Bytes of gradients (or parameters) the driver received: P vectors by tree, one by all-reduce. */
  long gatheredBytes() {
    return gatheredBytes;
  }

  /** Bytes of gradient slices the workers fetched from one another (the all-reduce's). */
  long exchangedBytes() {
    return exchangedBytes;
  }
}
