package dev.kiln.processor.emit;

import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.Node;
import java.util.List;
import java.util.Locale;

/**
 * The layer table of Keras' {@code model.summary()}, laid out as Keras 2 lays it out: three
 * columns for a chain of single-input layers, four (with "Connected to") otherwise.
 */
public final class SummaryTable {

  private static final int[] CHAIN_COLUMNS = {29, 55, 65};
  private static final int[] GRAPH_COLUMNS = {32, 53, 65, 98};

  private SummaryTable() {}

  /** The table from the first rule to the closing {@code ====} line, without the totals. */
  public static String render(Network network) {
    boolean chain = isChain(network);
    int[] columns = chain ? CHAIN_COLUMNS : GRAPH_COLUMNS;
    int width = columns[columns.length - 1];
    StringBuilder text = new StringBuilder();
    text.append("_".repeat(width)).append('\n');
    row(text, columns, chain
        ? List.of("Layer (type)", "Output Shape", "Param #")
        : List.of("Layer (type)", "Output Shape", "Param #", "Connected to"));
    text.append("=".repeat(width)).append('\n');
    List<Node> nodes = network.nodes();
    for (int i = 0; i < nodes.size(); i++) {
      Node node = nodes.get(i);
      String layer = node.name() + " (" + node.decl().kind().kerasName() + ")";
      String shape = node.shape().withBatch();
      String params = Long.toString(node.paramCount());
      if (chain) {
        row(text, columns, List.of(layer, shape, params));
      } else {
        List<String> inputs = node.inputs();
        row(text, columns, List.of(layer, shape, params, inputs.isEmpty() ? "" : inputs.get(0) + "[0][0]"));
        for (int j = 1; j < inputs.size(); j++) {
          row(text, columns, List.of("", "", "", inputs.get(j) + "[0][0]"));
        }
      }
      text.append((i == nodes.size() - 1 ? "=" : "_").repeat(width)).append('\n');
    }
    return text.toString();
  }

  /** The totals Keras prints under the table. */
  public static String totals(long total, long trainable) {
    return String.format(Locale.ROOT, "Total params: %,d%nTrainable params: %,d%nNon-trainable params: %,d%n",
        total, trainable, total - trainable).replace("\r", "");
  }

  /** Keras' test: one layer per depth, each reading the one before. */
  private static boolean isChain(Network network) {
    List<Node> nodes = network.nodes();
    for (int i = 1; i < nodes.size(); i++) {
      List<String> inputs = nodes.get(i).inputs();
      if (inputs.size() != 1 || !inputs.get(0).equals(nodes.get(i - 1).name())) {
        return false;
      }
    }
    return true;
  }

  /** Keras' {@code print_row}: each field cut at its column's end and padded to it. */
  private static void row(StringBuilder text, int[] columns, List<String> fields) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < fields.size(); i++) {
      if (i > 0) {
        line.setLength(line.length() - 1);
        line.append(' ');
      }
      line.append(fields.get(i));
      if (line.length() > columns[i]) {
        line.setLength(columns[i]);
      }
      while (line.length() < columns[i]) {
        line.append(' ');
      }
    }
    text.append(line.toString().stripTrailing()).append('\n');
  }
}
