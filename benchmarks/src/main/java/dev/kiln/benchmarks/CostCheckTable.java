package dev.kiln.benchmarks;

import dev.kiln.runtime.ModelCost;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What each Kiln model's {@code summary(batch)} says a step costs, beside what the benchmark counts
 * or measures itself: the summary's training FLOPs beside the GEMM bound's product count (the
 * summary adds the element-wise work and leaves out the input gradient of a layer reading a model
 * input), and its memory totals.
 */
final class CostCheckTable {

  private CostCheckTable() {}

  static List<String> render(List<Comparison> comparisons) {
    List<String> lines = new ArrayList<>();
    lines.add("| network | GEMM bound GFLOP | summary training GFLOP | summary / GEMM bound "
        + "| summary prediction GFLOP | summary training MB | summary prediction MB |");
    lines.add("|---|---:|---:|---:|---:|---:|---:|");
    for (Comparison c : comparisons) {
      ModelCost cost = c.cost();
      if (cost == null) {
        continue;
      }
      lines.add(String.join(" | ",
          "| " + c.title(),
          String.format(Locale.ROOT, "%.3f", c.trainingFlops() / 1e9),
          String.format(Locale.ROOT, "%.3f", cost.trainingFlops() / 1e9),
          String.format(Locale.ROOT, "%.3f", cost.trainingFlops() / c.trainingFlops()),
          String.format(Locale.ROOT, "%.3f", cost.predictionFlops() / 1e9),
          String.format(Locale.ROOT, "%.1f", cost.trainingBytes() / 1e6),
          String.format(Locale.ROOT, "%.1f", cost.predictionBytes() / 1e6) + " |"));
    }
    lines.add("");
    lines.add("Summary: the Kiln model's cost(batch), as summary(batch) prints it: a multiply-add is"
        + " 2 FLOPs; training is the forward and backward passes without the loss and the update;"
        + " memory is parameters, gradients, optimizer state, activations and training buffers,"
        + " none shared (MB = 1,000,000 bytes).");
    return lines;
  }
}
