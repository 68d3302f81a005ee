package dev.kiln.runtime;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

/**
 * Asks the JVM for a garbage collection when the arrays Kiln created since the last one hold more
 * than a budget of native memory ({@link #BUDGET}, or the system property {@code
 * kiln.nativeGarbageBytes}).
 *
 * <p>Why: ND4J frees an array's native memory only after the garbage collector has found the array
 * unreachable, and a prediction allocates its result in native memory but next to nothing on the
 * Java heap, so a loop of predictions can run for minutes without a collection. The encoder
 * block's prediction (a 2 MB result) grew the process by 5 GB in 40 s, and from about 4.6 GB on
 * took 45 ms a call instead of 12. A collection that has happened on its own since the budget was
 * last counted starts the count again, without a call to {@link System#gc}.
 */
final class NativeGarbage {

  /** Native bytes created between collections: 512 MB unless the system property says. */
  static final long BUDGET = Long.getLong("kiln.nativeGarbageBytes", 512L << 20);

  private static final NativeGarbage JVM =
      new NativeGarbage(BUDGET, NativeGarbage::collections, System::gc);

  private final long budget;
  private final LongSupplier collectionCount;
  private final Runnable collect;
  private long created;
  private long collectionsSeen;
  private long requested;

  NativeGarbage(long budget, LongSupplier collectionCount, Runnable collect) {
    this.budget = budget;
    this.collectionCount = collectionCount;
    this.collect = collect;
    this.collectionsSeen = collectionCount.getAsLong();
  }

  /** Counts {@code bytes} of new native arrays in this JVM, collecting past the budget. */
  static void created(long bytes) {
    JVM.count(bytes);
  }

  synchronized void count(long bytes) {
    created += bytes;
    if (created < budget) {
      return;
    }
    long collections = collectionCount.getAsLong();
    if (collections == collectionsSeen) {
      requested++;
      collect.run();
      collections = collectionCount.getAsLong();
    }
    collectionsSeen = collections;
    created = 0;
  }

  /** How many collections this count has asked for. */
  synchronized long requests() {
    return requested;
  }

  /** The collections of every collector of this JVM so far. */
  static long collections() {
    long total = 0;
    for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
      total += Math.max(0, collector.getCollectionCount());
    }
    return total;
  }
}
