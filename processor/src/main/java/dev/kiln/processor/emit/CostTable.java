package dev.kiln.processor.emit;

import dev.kiln.Optimizer;
import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.Node;
import java.util.List;
import java.util.Locale;

/**
 * The build-time summary with costs, {@code <Model>.cost.txt}: the Keras table with the cost
 * columns of Keras' default batch size (32) in float32 with the interface's optimizer, the text
 * the generated model's {@code summary(32)} gives. The runtime's {@code CostSummary} lays out the
 * same columns for any batch size; a test keeps the two equal.
 */
public final class CostTable {

  /** Keras' default batch size, and the generated models' ({@code KilnModel.DEFAULT_BATCH_SIZE}). */
  public static final int BATCH_SIZE = 32;

  private static final int BYTES = 4;
  private static final int COLUMN = 16;
  private static final List<String> HEADERS =
      List.of("Forward FLOPs", "Training FLOPs", "Activations", "Training keeps");

  private CostTable() {}

  /** Whether the network's costs depend on a sequence length known only at run time. */
  public static boolean dependsOnSteps(Network network) {
    LayerCosts costs = new LayerCosts(new StepPlan(network));
    for (Node node : network.nodes()) {
      LayerCosts.Cost cost = costs.of(node);
      if (cost.forward().dependsOnSteps() || cost.training().dependsOnSteps()
          || cost.activations().dependsOnSteps() || cost.trainingBuffers().dependsOnSteps()) {
        return true;
      }
    }
    return false;
  }

  /** The summary with costs at {@link #BATCH_SIZE}, for a network whose shapes are all known. */
  public static String render(Network network) {
    LayerCosts costs = new LayerCosts(new StepPlan(network));
    String table = SummaryTable.render(network);
    String[] lines = table.split("\n");
    int width = lines[0].length();
    List<List<Node>> rows = SummaryTable.collapsedRows(network);
    StringBuilder text = new StringBuilder();
    int row = -1;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (i == 0 || line.chars().allMatch(c -> c == '_' || c == '=')) {
        text.append(String.valueOf(line.charAt(0)).repeat(width + COLUMN * HEADERS.size()));
      } else if (i == 1) {
        text.append(cells(line, width, HEADERS));
      } else if (line.startsWith(" ")) {
        text.append(line);
      } else {
        row++;
        long[] sums = new long[5];
        for (Node node : rows.get(row)) {
          add(sums, costs.of(node));
        }
        text.append(cells(line, width, List.of(count(BATCH_SIZE * sums[0]),
            count(BATCH_SIZE * sums[1]), bytes(BATCH_SIZE * sums[2] * BYTES),
            bytes((BATCH_SIZE * sums[3] + sums[4]) * BYTES))));
      }
      text.append('\n');
    }
    long[] total = new long[5];
    network.nodes().forEach(node -> add(total, costs.of(node)));
    long parameters = network.paramCount() * BYTES;
    long state = stateArrays(network) * parameters;
    long activations = BATCH_SIZE * total[2] * BYTES;
    long buffers = (BATCH_SIZE * total[3] + total[4]) * BYTES;
    text.append(SummaryTable.totals(network.paramCount(), network.trainableCount()));
    text.append(String.format(Locale.ROOT,
        "Cost at batch size %d, %d bytes a value (a multiply-add is 2 FLOPs):%n"
            + "Prediction: %,d FLOPs; memory %s (parameters %s, activations %s)%n"
            + "Training step: %,d FLOPs (forward and backward; not the loss or the update);"
            + " memory %s (parameters %s, gradients %s, optimizer state %s, activations %s,"
            + " training buffers %s)%n",
        BATCH_SIZE, BYTES, BATCH_SIZE * total[0], bytes(parameters + activations),
        bytes(parameters), bytes(activations), BATCH_SIZE * total[1],
        bytes(2 * parameters + state + activations + buffers), bytes(parameters),
        bytes(parameters), bytes(state), bytes(activations), bytes(buffers)).replace("\r", ""));
    return text.toString();
  }

  /** How many arrays as large as the parameters the model's default optimizer keeps. */
  private static long stateArrays(Network network) {
    Optimizer optimizer = network.model().optimizer();
    return switch (optimizer) {
      case SGD -> network.model().attributes().doubleValue("momentum") != 0 ? 1 : 0;
      case RMSPROP, ADAGRAD, LION -> 1;
      case ADAM, ADAMW, ADAMAX, NADAM -> 2;
    };
  }

  private static void add(long[] sums, LayerCosts.Cost cost) {
    sums[0] += cost.forward().constant();
    sums[1] += cost.training().constant();
    sums[2] += cost.activations().constant();
    sums[3] += cost.trainingBuffers().constant();
    sums[4] += cost.fixedBuffers();
  }

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

  private static String count(long value) {
    return scaled(value, "");
  }

  private static String bytes(long value) {
    return scaled(value, " ") + "B";
  }

  /** Three significant digits and an SI prefix, as the runtime writes them. */
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
    return digits
        + space + prefixes[prefix];
  }
}
