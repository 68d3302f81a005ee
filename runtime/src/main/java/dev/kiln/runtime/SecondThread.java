package dev.kiln.runtime;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Runs a piece of work in two parts at once, one on the calling thread and one on a helper
 * thread: an optimizer's pass over millions of parameters, a recurrent layer's cells, the two
 * halves of a matrix product's rows. On one core, or with the system property {@code
 * kiln.javaThreads=1}, both parts run on the caller, one after the other.
 *
 * <p>The helper is one daemon thread shared by every model of the JVM. After a part it watches
 * for the next one for {@link #WATCH_NANOS} before it sleeps: a step hands it parts every few
 * microseconds, and waking a sleeping thread took 60-100 microseconds on the 2-core development
 * machine, as long as the part itself. A part handed over while the helper is busy with another
 * caller's, and a part the helper has not started by the time the caller finished its own, run
 * on the caller: a sleeping or busy helper never makes a step wait.
 *
 * <p>The helper's native code runs on one OpenMP thread: the caller's part runs beside it.
 */
public final class SecondThread {

  /** Whether a second thread is used: two or more cores and not turned off. */
  public static final boolean ENABLED =
      Runtime.getRuntime().availableProcessors() >= 2
          && !"1".equals(System.getProperty("kiln.javaThreads"));

  /**
   * How long the helper watches for a next part before it sleeps ({@code
   * kiln.helperWatchMicros}, default 200): the MLP's prediction calls took 346 us with 200 and
   * 396 with 50 (blocks of 5 calls, the settings taking turns in one JVM), none of five networks
   * was slower, and the encoder block's and RnnRows' calls were as fast.
   */
  static final long WATCH_NANOS = Long.getLong("kiln.helperWatchMicros", 200) * 1_000;

  /**
   * How long of the watch the helper spins ({@code kiln.helperSpinMicros}, default 50); for the
   * rest it yields its core at each look, to an OpenMP thread of the caller's native op that
   * needs it: with 200 us spun, the shared-input network's prediction took 2.4 ms in the
   * benchmark against 1.3-1.6.
   */
  static final long SPIN_NANOS = Long.getLong("kiln.helperSpinMicros", 50) * 1_000;

  private static final int FREE = 0;
  private static final int CLAIMED = 1;
  private static final int POSTED = 2;
  private static final int RUNNING = 3;
  private static final int DONE = 4;

  private SecondThread() {}

  /**
   * Runs {@code helperPart} on the helper thread and {@code callerPart} on this one, and returns
   * when both are done; an exception of either is thrown here. The parts must touch disjoint data.
   */
  public static void run(Runnable helperPart, Runnable callerPart) {
    if (!ENABLED || !Helper.INSTANCE.claim()) {
      helperPart.run();
      callerPart.run();
      return;
    }
    Helper.INSTANCE.post(helperPart);
    Throwable failure = null;
    try {
      callerPart.run();
    } catch (Throwable e) {
      failure = e;
    }
    // The helper's part must end before its data can be touched again, even after a failure.
    failure = first(failure, Helper.INSTANCE.finish());
    if (failure instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (failure instanceof Error error) {
      throw error;
    }
    if (failure != null) {
      throw new IllegalStateException(failure);
    }
  }

  private static Throwable first(Throwable a, Throwable b) {
    if (a != null && b != null && a != b) {
      a.addSuppressed(b);
    }
    return a != null ? a : b;
  }

  /** The helper thread and the one part it holds: FREE, CLAIMED, POSTED, RUNNING, DONE. */
  private static final class Helper implements Runnable {

    static final Helper INSTANCE = new Helper();

    private final AtomicInteger state = new AtomicInteger(FREE);
    private final Thread thread;
    private volatile boolean sleeping;
    private Runnable part;
    private Throwable failure;

    private Helper() {
      thread = new Thread(this, "kiln-second-thread");
      thread.setDaemon(true);
      thread.start();
    }

    /** Takes the helper for one part; false if another caller holds it. */
    boolean claim() {
      return state.get() == FREE && state.compareAndSet(FREE, CLAIMED);
    }

    void post(Runnable part) {
      this.part = part;
      this.failure = null;
      state.set(POSTED);
      if (sleeping) {
        LockSupport.unpark(thread);
      }
    }

    /**
     * Waits for the posted part, or runs it here if the helper has not started it; frees the
     * helper and returns the part's exception, if any.
     */
    Throwable finish() {
      Throwable thrown = null;
      if (state.compareAndSet(POSTED, RUNNING)) {
        try {
          part.run();
        } catch (Throwable e) {
          thrown = e;
        }
      } else {
        while (state.get() != DONE) {
          Thread.onSpinWait();
        }
        thrown = failure;
      }
      part = null;
      failure = null;
      state.set(FREE);
      return thrown;
    }

    @Override
    public void run() {
      boolean oneOmpThread = false;
      long watchEnd = System.nanoTime() + WATCH_NANOS;
      while (true) {
        if (state.get() == POSTED && state.compareAndSet(POSTED, RUNNING)) {
          try {
            if (!oneOmpThread) {
              // Parts touch arrays, so ND4J has loaded its native library by now.
              NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(1);
              oneOmpThread = true;
            }
            part.run();
          } catch (Throwable e) {
            failure = e;
          }
          state.set(DONE);
          watchEnd = System.nanoTime() + WATCH_NANOS;
        } else if (System.nanoTime() < watchEnd) {
          if (watchEnd - System.nanoTime() < WATCH_NANOS - SPIN_NANOS) {
            Thread.yield(); // past the spin: another thread that wants this core gets it
          } else {
            Thread.onSpinWait();
          }
        } else {
          sleeping = true;
          if (state.get() != POSTED) {
            LockSupport.park(this);
          }
          sleeping = false;
          watchEnd = System.nanoTime() + WATCH_NANOS;
        }
      }
    }
  }
}
