package dev.kiln.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The comparisons as one markdown table: per network, ms per training step and per inference batch
 * for each framework as {@code median (p10-p90)}, Kiln's ratio of the medians to DL4J's and to
 * PyTorch's, and the Java heap Kiln and DL4J allocate per training step.
 */
final class ComparisonTable {

  /** What the PyTorch columns say when Python has no torch. */
  static final String NOT_RUN = "not run";

  private ComparisonTable() {}

  static List<String> render(List<Comparison> comparisons, double peakGflops) {
    List<String> lines = new ArrayList<>();
    lines.add("| network | parameters | runs (train / predict) | GEMM bound ms "
        + "| Kiln train ms | DL4J train ms | PyTorch train ms | train Kiln/DL4J | train Kiln/PyTorch "
        + "| Kiln predict ms | DL4J predict ms | PyTorch predict ms | predict Kiln/DL4J | predict Kiln/PyTorch "
        + "| Kiln heap/step | DL4J heap/step |");
    lines.add("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (Comparison c : comparisons) {
      lines.add(String.join(" | ",
          "| " + c.title(),
          parameters(c),
          runs(c),
          millis(c.trainingFlops() / peakGflops / 1e6),
          spread(c.training().kiln()),
          spread(c.training().dl4j()),
          spread(c.training().torch()),
          String.format(Locale.ROOT, "**%.2f**", c.training().ratioToDl4j()),
          ratio(c.training().ratioToTorch(), "**%.2f**"),
          spread(c.inference().kiln()),
          spread(c.inference().dl4j()),
          spread(c.inference().torch()),
          String.format(Locale.ROOT, "%.2f", c.inference().ratioToDl4j()),
          ratio(c.inference().ratioToTorch(), "%.2f"),
          bytes(c.training().kiln().bytesPerRun()),
          bytes(c.training().dl4j().bytesPerRun()) + " |"));
    }
    lines.add("");
    lines.add("Times are median (p10-p90) over the runs, the frameworks taking turns in blocks; ratio ="
        + " Kiln median / the other's median. Heap: Java heap allocated per training step by the"
        + " benchmark thread (1 KB = 1000 bytes); native buffers are not counted. GEMM bound: the"
        + " step's matrix products (each kernel applied at each position, three times: forward,"
        + String.format(Locale.ROOT, " input and kernel gradients) at this run's square-GEMM rate, %.0f GFLOPS.",
            peakGflops));
    return lines;
  }

  /** The timed runs of training and of prediction: one number where they are the same. */
  static String runs(Comparison c) {
    int training = c.training().kiln().samples().count();
    int inference = c.inference().kiln().samples().count();
    return training == inference ? Integer.toString(training) : training + " / " + inference;
  }

  /** {@code median (p10-p90)} in milliseconds, with precision to suit the size; "not run" for null. */
  static String spread(Interleaved.Runs runs) {
    if (runs == null) {
      return NOT_RUN;
    }
    Samples samples = runs.samples();
    return millis(samples.median()) + " (" + millis(samples.p10()) + "-" + millis(samples.p90()) + ")";
  }

  static String millis(double value) {
    return value >= 100 ? String.format(Locale.ROOT, "%.0f", value)
        : value >= 10 ? String.format(Locale.ROOT, "%.1f", value)
        : String.format(Locale.ROOT, "%.2f", value);
  }

  static String bytes(long value) {
    return value >= 1_000_000 ? String.format(Locale.ROOT, "%.1f MB", value / 1e6)
        : String.format(Locale.ROOT, "%.1f KB", value / 1e3);
  }

  private static String ratio(double value, String format) {
    return Double.isNaN(value) ? NOT_RUN : String.format(Locale.ROOT, format, value);
  }

  /**
   * The parameter count, and the others' where they differ (PyTorch's LSTM has two bias vectors
   * where Keras has one).
   */
  private static String parameters(Comparison c) {
    String count = String.format(Locale.ROOT, "%,d", c.kilnParameters());
    if (c.dl4jParameters() != c.kilnParameters()) {
      count += String.format(Locale.ROOT, " vs DL4J %,d", c.dl4jParameters());
    }
    if (c.torchParameters() >= 0 && c.torchParameters() != c.kilnParameters()) {
      count += String.format(Locale.ROOT, " vs PyTorch %,d", c.torchParameters());
    }
    return count;
  }
}
