package dev.kiln.processor.emit;

import dev.kiln.processor.parse.Application;
import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.Node;
import java.util.ArrayList;
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

  /** One row: a layer, or an application of a block shown as one layer. */
  private record Row(String name, String type, String shape, long params, List<String> inputs) {}

  /**
   * The table from the first rule to the closing {@code ====} line, without the totals; an
   * application of a block is one row, as Keras shows a nested model.
   */
  public static String render(Network network) {
    return render(network, false);
  }

  /**
   * The table; with {@code expandNested} (Keras' {@code expand_nested}) every layer inside an
   * application has a row of its own, named {@code application/layer}.
   */
  public static String render(Network network, boolean expandNested) {
    List<Row> rows = expandNested ? expanded(network) : collapsed(network);
    boolean chain = isChain(rows);
    int[] columns = chain ? CHAIN_COLUMNS : GRAPH_COLUMNS;
    int width = columns[columns.length - 1];
    StringBuilder text = new StringBuilder();
    text.append("_".repeat(width)).append('\n');
    row(text, columns, chain
        ? List.of("Layer (type)", "Output Shape", "Param #")
        : List.of("Layer (type)", "Output Shape", "Param #", "Connected to"));
    text.append("=".repeat(width)).append('\n');
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      String layer = row.name() + " (" + row.type() + ")";
      String params = Long.toString(row.params());
      if (chain) {
        row(text, columns, List.of(layer, row.shape(), params));
      } else {
        List<String> inputs = row.inputs();
        row(text, columns, List.of(layer, row.shape(), params, inputs.isEmpty() ? "" : inputs.get(0) + "[0][0]"));
        for (int j = 1; j < inputs.size(); j++) {
          row(text, columns, List.of("", "", "", inputs.get(j) + "[0][0]"));
        }
      }
      text.append((i == rows.size() - 1 ? "=" : "_").repeat(width)).append('\n');
    }
    return text.toString();
  }

  /** Whether the network applies blocks, so that its expanded table differs. */
  public static boolean hasNested(Network network) {
    return !network.model().applications().isEmpty();
  }

  private static List<Row> expanded(Network network) {
    List<Row> rows = new ArrayList<>();
    for (Node node : network.nodes()) {
      rows.add(new Row(node.name(), node.decl().kind().kerasName(), node.shape().withBatch(),
          node.paramCount(), node.inputs()));
    }
    return rows;
  }

  /** A row per layer outside blocks and per top application, where its first output is computed. */
  private static List<Row> collapsed(Network network) {
    List<Row> rows = new ArrayList<>();
    for (List<Node> group : collapsedRows(network)) {
      Node node = group.get(0);
      Application application = network.model().application(node.name());
      long params = group.stream().mapToLong(Node::paramCount).sum();
      rows.add(application != null
          ? new Row(application.name(), application.typeName(), node.shape().withBatch(), params,
              application.inputs())
          : new Row(node.name(), node.decl().kind().kerasName(), node.shape().withBatch(), params,
              node.inputs()));
    }
    return rows;
  }

  /**
   * The layers of each row of the table without expansion, in row order: a layer outside blocks
   * alone, or an application's first output followed by the application's other layers.
   */
  static List<List<Node>> collapsedRows(Network network) {
    List<List<Node>> rows = new ArrayList<>();
    for (Node node : network.nodes()) {
      Application application = network.model().application(node.name());
      if (application != null && application.parent() == null) {
        List<Node> group = new ArrayList<>();
        group.add(node);
        for (Node inner : network.nodes()) {
          if (inner.name().startsWith(application.name() + "/")) {
            group.add(inner);
          }
        }
        rows.add(group);
      } else if (application == null && !node.name().contains("/")) {
        rows.add(List.of(node));
      }
    }
    return rows;
  }

  /** The totals Keras prints under the table. */
  public static String totals(long total, long trainable) {
    return String.format(Locale.ROOT, "Total params: %,d%nTrainable params: %,d%nNon-trainable params: %,d%n",
        total, trainable, total - trainable).replace("\r", "");
  }

  /** Keras' test: one layer per depth, each reading the one before. */
  private static boolean isChain(List<Row> rows) {
    for (int i = 1; i < rows.size(); i++) {
      List<String> inputs = rows.get(i).inputs();
      if (inputs.size() != 1 || !inputs.get(0).equals(rows.get(i - 1).name())) {
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
