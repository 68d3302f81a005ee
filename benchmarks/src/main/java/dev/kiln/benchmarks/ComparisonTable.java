package dev.kiln.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The comparisons as one markdown table: per network, ms per training step and per inference batch
 * for both frameworks as {@code median (p10-p90)}, the ratio of the medians, and the Java heap each
 * allocates per training step.
 */
final class ComparisonTable {

  private ComparisonTable() {}

  static List<String> render(List<Comparison> comparisons, double peakGflops) {
    List<String> lines = new ArrayList<>();
    lines.add("| network | parameters | runs | GEMM bound ms | Kiln train ms | DL4J train ms | train ratio "
        + "| Kiln predict ms | DL4J predict ms | predict ratio | Kiln heap/step | DL4J heap/step |");
    lines.add("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (Comparison c : comparisons) {
      lines.add(String.join(" | ",
          "| " + c.title(),
          parameters(c),
          Integer.toString(c.training().first().samples().count()),
          millis(c.trainingFlops() / peakGflops / 1e6),
          spread(c.training().first().samples()),
          spread(c.training().second().samples()),
          String.format(Locale.ROOT, "**%.2f**", c.trainingRatio()),
          spread(c.inference().first().samples()),
          spread(c.inference().second().samples()),
          String.format(Locale.ROOT, "%.2f", c.inferenceRatio()),
          bytes(c.training().first().bytesPerRun()),
          bytes(c.training().second().bytesPerRun()) + " |"));
    }
    lines.add("");
    lines.add("Times are median (p10-p90) over the runs, Kiln and DL4J interleaved; ratio = Kiln median"
        + " / DL4J median. Heap: Java heap allocated per training step by the benchmark thread"
        + " (1 KB = 1000 bytes); native buffers are not counted. GEMM bound: the step's matrix"
        + " products (each kernel applied at each position, three times: forward, input and kernel"
        + String.format(Locale.ROOT, " gradients) at this run's square-GEMM rate, %.0f GFLOPS.",
            peakGflops));
    return lines;
  }

  /** {@code median (p10-p90)} in milliseconds, with precision to suit the size. */
  static String spread(Samples samples) {
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

  private static String parameters(Comparison c) {
    return c.kilnParameters() == c.dl4jParameters()
        ? String.format(Locale.ROOT, "%,d", c.kilnParameters())
        : String.format(Locale.ROOT, "%,d vs DL4J %,d", c.kilnParameters(), c.dl4jParameters());
  }
}
