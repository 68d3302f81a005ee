package dev.kiln.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The summary with the cost of each row at a batch size: Keras' table, its columns unchanged,
 * followed by four more: the FLOPs of a prediction and of a training step, the memory of the
 * layer's activations, and what a training step keeps besides. An application of a block is one
 * row, with the sum of its layers.
 */
final class CostSummary {

  /** Where each added column starts, after the Keras table's own width. */
  private static final int COLUMN = 16;
  private static final List<String> HEADERS =
      List.of("Forward FLOPs", "Training FLOPs", "Activations", "Training keeps");

  private CostSummary() {}

  /**
   * {@code table} (Keras' layer table as the processor rendered it) with the cost columns of
   * {@code cost}'s batch size added to every row.
   */
  static String table(String table, ModelSpec spec, boolean expanded, ModelCost cost) {
    List<LayerCost> rows = rows(spec, expanded);
    String[] lines = table.split("\n");
    int width = lines[0].length();
    StringBuilder text = new StringBuilder();
    int row = -1;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (i == 0 || isRule(line)) {
        text.append(String.valueOf(line.charAt(0)).repeat(width + COLUMN * HEADERS.size()));
      } else if (i == 1) {
        text.append(cells(line, width, HEADERS));
      } else if (line.startsWith(" ")) {
        text.append(line); // another input of the row above
      } else {
        row++;
        text.append(cells(line, width, cells(rows.get(row), cost)));
      }
      text.append('\n');
    }
    if (row != rows.size() - 1) {
      throw new IllegalStateException("the summary of " + spec.name() + " has " + (row + 1)
          + " rows but its spec " + rows.size() + " layers; please report this");
    }
    return text.toString();
  }

  /** The lines under the totals of parameters: what a prediction and a training step cost. */
  static String totals(ModelCost cost) {
    String steps = cost.steps() > 0 ? ", " + cost.steps() + " steps" : "";
    return String.format(Locale.ROOT,
        "Cost at batch size %d%s, %d bytes a value (a multiply-add is 2 FLOPs):%n"
            + "Prediction: %,d FLOPs; memory %s (parameters %s, activations %s)%n"
            + "Training step: %,d FLOPs (forward and backward; not the loss or the update);"
            + " memory %s (parameters %s, gradients %s, optimizer state %s, activations %s,"
            + " training buffers %s)%n",
        cost.batchSize(), steps, cost.bytesPerValue(),
        cost.predictionFlops(), bytes(cost.predictionBytes()), bytes(cost.parameterBytes()),
        bytes(cost.activationBytes()),
        cost.trainingFlops(), bytes(cost.trainingBytes()), bytes(cost.parameterBytes()),
        bytes(cost.gradientBytes()), bytes(cost.optimizerStateBytes()),
        bytes(cost.activationBytes()), bytes(cost.trainingBufferBytes()))
        .replace("\r", "");
  }

  /** The cost of each row of the table: a layer, or an application of a block with its layers. */
  private static List<LayerCost> rows(ModelSpec spec, boolean expanded) {
    List<LayerCost> rows = new ArrayList<>();
    for (LayerSpec layer : spec.layers()) {
      ApplicationSpec application = spec.applications().stream()
          .filter(candidate -> candidate.name().equals(layer.name()))
          .findFirst()
          .orElse(null);
      if (expanded || (application == null && !layer.name().contains("/"))) {
        rows.add(layer.cost());
      } else if (application != null) {
        rows.add(ModelCost.sum(spec.layers().stream()
            .filter(inner -> application.holds(inner.name()))
            .map(LayerSpec::cost)
            .toList()));
      }
    }
    return rows;
  }

  private static List<String> cells(LayerCost layer, ModelCost cost) {
    long batch = cost.batchSize();
    long steps = cost.steps();
    return List.of(
        count(batch * layer.forwardFlops().at(steps)),
        count(batch * layer.trainingFlops().at(steps)),
        bytes(batch * layer.activations().at(steps) * cost.bytesPerValue()),
        bytes((batch * layer.trainingBuffers().at(steps) + layer.fixedBuffers())
            * cost.bytesPerValue()));
  }

  /** The Keras line padded to the table's width, then each cell in a column of its own. */
  private static String cells(String line, int width, List<String> cells) {
    StringBuilder text = new StringBuilder(line);
    while (text.length() < width) {
      text.append(' ');
    }
    for (String cell : cells) {
      text.append(cell);
      text.append(" ".repeat(Math.max(1, COLUMN - cell.length())));
    }
    return text.toString().stripTrailing();
  }

  private static boolean isRule(String line) {
    return !line.isEmpty() && line.chars().allMatch(c -> c == '_' || c == '=');
  }

  /** {@code 1.23G}: three significant digits and an SI prefix. */
  static String count(long value) {
    return scaled(value, "");
  }

  /** {@code 2.17 MB}: bytes with SI prefixes (1 MB = 1,000,000 bytes). */
  static String bytes(long value) {
    return scaled(value, " ") + "B";
  }

  private static String scaled(long value, String space) {
    String[] prefixes = {"", "k", "M", "G", "T", "P", "E"};
    double scaled = value;
    int prefix = 0;
    while (scaled >= 999.5 && prefix < prefixes.length - 1) {
      scaled /= 1000;
      prefix++;
    }
    if (prefix == 0) {
      return value + space;
    }
    String digits = scaled >= 99.95 ? String.format(Locale.ROOT, "%.0f", scaled)
        : scaled >= 9.995 ? String.format(Locale.ROOT, "%.1f", scaled)
        : String.format(Locale.ROOT, "%.2f", scaled);
    return digits + space + prefixes[prefix];
  }
}
