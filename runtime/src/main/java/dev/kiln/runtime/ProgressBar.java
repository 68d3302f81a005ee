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
 *
 * <p>A live line must fit the terminal's width: a line that wraps is redrawn from its last row
 * only, and every redraw leaves the rows above behind. So the bar narrows (down to 10 cells),
 * then metric names are abbreviated ({@code output_accuracy} to {@code output_acc}), and a line
 * still too long is cut. The width is {@code COLUMNS} where the shell exports it, else 80. The
 * epoch's last line, drawn once, keeps Keras' layout and every score, and may wrap.
 */
public final class ProgressBar {

  private static final int WIDTH = 30;
  private static final int MIN_WIDTH = 10;
  private static final int DEFAULT_COLUMNS = 80;
  private static final long REDRAW_NANOS = 100_000_000L;
  private static final String[][] ABBREVIATIONS = {
    {"mean_squared_error", "mse"},
    {"mean_absolute_error", "mae"},
    {"categorical_", "cat_"},
    {"sparse_", "sp_"},
    {"crossentropy", "xent"},
    {"accuracy", "acc"},
    {"precision", "prec"},
    {"recall", "rec"},
  };

  private final PrintStream out;
  private final long steps;
  private final boolean live;
  private final int columns;
  private final long start = System.nanoTime();
  private long lastDraw;
  private long seen;
  private boolean drawn;

  /** A bar for {@code steps} steps, or -1 if unknown, on a terminal {@code columns} wide. */
  public ProgressBar(PrintStream out, long steps, boolean live, int columns) {
    this.out = out;
    this.steps = steps;
    this.live = live;
    this.columns = columns;
  }

  /** The terminal's width as the shell exports it in {@code COLUMNS}, else 80. */
  public static int terminalColumns() {
    String columns = System.getenv("COLUMNS");
    try {
      int width = columns == null ? DEFAULT_COLUMNS : Integer.parseInt(columns.trim());
      return width > 0 ? width : DEFAULT_COLUMNS;
    } catch (NumberFormatException e) {
      return DEFAULT_COLUMNS;
    }
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
      String line = String.format(Locale.ROOT, "%7d/Unknown", step) + " - " + Math.round(elapsed)
          + "s " + perStep(elapsed / step);
      out.print("\r" + cut(line + fitting(values, line.length())));
    } else {
      double eta = elapsed / step * (steps - step);
      out.print("\r" + cut(fitted(step, steps, " - ETA: " + duration(eta), values)));
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
      out.print("\r" + counter(seen, total) + " " + bar(seen, total, WIDTH) + timing
          + values(values, false) + "\n");
    } else {
      out.println(counter(seen, total) + timing + values(values, false));
    }
    out.flush();
    drawn = false;
  }

  /** Counter, bar, {@code middle} and values, the bar and names shortened to fit if need be. */
  private String fitted(long step, long total, String middle, Map<String, Double> values) {
    String counter = counter(step, total);
    int fixed = counter.length() + " []".length() + middle.length();
    String text = values(values, false);
    if (fixed + MIN_WIDTH + text.length() > room()) {
      text = values(values, true);
    }
    int width = Math.max(MIN_WIDTH, Math.min(WIDTH, room() - fixed - text.length()));
    return counter + " " + bar(step, total, width) + middle + text;
  }

  /** The characters a line may hold: one less than the width, where the cursor then waits. */
  private int room() {
    return columns - 1;
  }

  private String cut(String line) {
    return line.length() <= room() ? line : line.substring(0, Math.max(0, room() - 3)) + "...";
  }

  private static String counter(long step, long steps) {
    String total = Long.toString(steps);
    return String.format(Locale.ROOT, "%" + total.length() + "d/%s", step, total);
  }

  private static String bar(long step, long steps, int width) {
    int done = (int) (width * step / Math.max(steps, 1));
    StringBuilder bar = new StringBuilder("[");
    if (done > 0) {
      bar.append("=".repeat(done - 1)).append(step < steps ? '>' : '=');
    }
    bar.append(".".repeat(width - done)).append(']');
    return bar.toString();
  }

  /** The values after {@code used} characters, names abbreviated if they would not fit. */
  private String fitting(Map<String, Double> values, int used) {
    String full = values(values, false);
    return used + full.length() > room() ? values(values, true) : full;
  }

  private static String values(Map<String, Double> values, boolean abbreviated) {
    StringBuilder text = new StringBuilder();
    values.forEach(
        (name, value) ->
            text.append(" - ")
                .append(abbreviated ? abbreviate(name) : name)
                .append(": ")
                .append(Scores.format(value)));
    return text.toString();
  }

  private static String abbreviate(String name) {
    String shorter = name;
    for (String[] abbreviation : ABBREVIATIONS) {
      shorter = shorter.replace(abbreviation[0], abbreviation[1]);
    }
    return shorter;
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
