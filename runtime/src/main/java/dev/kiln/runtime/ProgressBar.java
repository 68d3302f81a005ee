package dev.kiln.runtime;

import java.io.PrintStream;
import java.util.Map;
import java.util.Locale;

/**
 * Keras' progress bar. On a terminal it redraws one line per epoch:
 *
 * <pre>
 *  57/469 [==>...........................] - ETA: 2s - loss: 0.8012 - accuracy: 0.7221
 * 469/469 [==============================] - 3s 6ms/step - loss: 0.5123 - accuracy: 0.8123
 * </pre>
 *
 * Elsewhere (logs, CI) it prints only the last line, without the bar. When the number of steps
 * is not known before the epoch ends (an iterator's first pass), the live line counts steps
 * against {@code Unknown}, as Keras does.
 */
public final class ProgressBar {

  private static final int WIDTH = 30;
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintStream out;
  private final long steps;
  private final boolean live;
  private final long start = System.nanoTime();
  private long lastDraw;
  private long seen;
  private boolean drawn;

  /** A bar for {@code steps} steps, or -1 if unknown. */
  public ProgressBar(PrintStream out, long steps, boolean live) {
    this.out = out;
    this.steps = steps;
    this.live = live;
  }

  /** After step {@code step} (from 1) with the running values; redraws at most ten times a second. */
  public void update(long step, Map<String, Double> values) {
    seen = step;
    long now = System.nanoTime();
    if (!live || step == steps || now - lastDraw < REDRAW_NANOS) {
      return;
    }
    lastDraw = now;
    double elapsed = (now - start) / 1e9;
    if (steps < 0) {
      out.print(String.format(Locale.ROOT, "\r%7d/Unknown", step) + " - " + Math.round(elapsed)
          + "s " + perStep(elapsed / step) + values(values));
    } else {
      double eta = elapsed / step * (steps - step);
      out.print("\r" + counter(step, steps) + " " + bar(step, steps) + " - ETA: " + duration(eta)
          + values(values));
    }
    out.flush();
    drawn = true;
  }

  /** Ends a live line drawn so far, so that a message can be printed on a line of its own. */
  public void interrupt() {
    if (drawn) {
      out.println();
      out.flush();
      drawn = false;
      lastDraw = 0;
    }
  }

  /**
   * The epoch's final line, with validation scores appended; it shows the steps taken, fewer
   * than planned when a callback stopped training.
   */
  public void finish(Map<String, Double> values) {
    long total = steps < 0 ? seen : steps;
    double elapsed = (System.nanoTime() - start) / 1e9;
    String timing = " - " + Math.round(elapsed) + "s " + perStep(elapsed / Math.max(seen, 1));
    if (live) {
      out.print("\r" + counter(seen, total) + " " + bar(seen, total) + timing + values(values)
          + "\n");
    } else {
      out.println(counter(seen, total) + timing + values(values));
    }
    out.flush();
    drawn = false;
  }

  private static String counter(long step, long steps) {
    String total = Long.toString(steps);
    return String.format(Locale.ROOT, "%" + total.length() + "d/%s", step, total);
  }

  private static String bar(long step, long steps) {
    int done = (int) (WIDTH * step / Math.max(steps, 1));
    StringBuilder bar = new StringBuilder("[");
    if (done > 0) {
      bar.append("=".repeat(done - 1)).append(step < steps ? '>' : '=');
    }
    bar.append(".".repeat(WIDTH - done)).append(']');
    return bar.toString();
  }

  private static String values(Map<String, Double> values) {
    StringBuilder text = new StringBuilder();
    values.forEach((name, value) -> text.append(" - ").append(name).append(": ").append(Scores.format(value)));
    return text.toString();
  }

  private static String duration(double seconds) {
    long whole = Math.round(seconds);
    if (whole >= 3600) {
      return String.format(Locale.ROOT, "%d:%02d:%02d", whole / 3600, whole % 3600 / 60, whole % 60);
    }
    if (whole >= 60) {
      return String.format(Locale.ROOT, "%d:%02d", whole / 60, whole % 60);
    }
    return whole + "s";
  }

  private static String perStep(double seconds) {
    if (seconds >= 1) {
      return Math.round(seconds) + "s/step";
    }
    if (seconds >= 1e-3) {
      return Math.round(seconds * 1e3) + "ms/step";
    }
    return Math.round(seconds * 1e6) + "us/step";
  }
}
