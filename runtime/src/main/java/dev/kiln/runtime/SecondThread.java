package dev.kiln.runtime;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a piece of Java work in two parts at once, one on the calling thread and one on a helper
 * thread, for the loops that the native code does not run on its threads: an optimizer's pass
 * over millions of parameters, a recurrent layer's cells. On one core, or with the system
 * property {@code kiln.javaThreads=1}, both parts run on the caller, one after the other.
 *
 * <p>The helper is one daemon thread shared by every model of the JVM; a part handed to it while
 * it is busy waits its turn, so two models stepping at once still finish both.
 */
public final class SecondThread {

  /** Whether a second thread is used: two or more cores and not turned off. */
  public static final boolean ENABLED =
      Runtime.getRuntime().availableProcessors() >= 2
          && !"1".equals(System.getProperty("kiln.javaThreads"));

  private static final class Helper {
    static final ExecutorService EXECUTOR = Executors.newSingleThreadExecutor(task -> {
      Thread thread = new Thread(task, "kiln-second-thread");
      thread.setDaemon(true);
      return thread;
    });
  }

  private SecondThread() {}

  /**
   * Runs {@code helperPart} on the helper thread and {@code callerPart} on this one, and returns
   * when both are done; an exception of either is thrown here. The parts must touch disjoint data.
   */
  public static void run(Runnable helperPart, Runnable callerPart) {
    if (!ENABLED) {
      helperPart.run();
      callerPart.run();
      return;
    }
    Future<?> helper = Helper.EXECUTOR.submit(helperPart);
    try {
      callerPart.run();
    } finally {
      await(helper);
    }
  }

  private static void await(Future<?> helper) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          helper.get();
          return;
        } catch (InterruptedException e) {
          interrupted = true; // the part must finish before its data can be touched again
        }
      }
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(cause);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
