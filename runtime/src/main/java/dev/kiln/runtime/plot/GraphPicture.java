package dev.kiln.runtime.plot;

import dev.kiln.runtime.ApplicationSpec;
import dev.kiln.runtime.LayerSpec;
import dev.kiln.runtime.ModelSpec;
import dev.kiln.runtime.OutputSpec;
import dev.kiln.runtime.Shapes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A picture of a model's graph as SVG text, like Keras' {@code plot_model(show_shapes=True)}
 * without Graphviz: a box per layer with its name, Keras type and output shape, an arrow for
 * every input of every layer, inputs at the top and outputs below, laid out by {@link
 * LayeredLayout}. Inputs are drawn blue, outputs green. Each box's tooltip gives its parameter
 * count. An application of a block is one box, typed by the block, unless nested layers are
 * expanded (Keras' {@code expand_nested}); then each of its layers says which application holds it.
 */
public final class GraphPicture {

  private static final double NAME_SIZE = 13;
  private static final double SHAPE_SIZE = 12;
  private static final double PADDING = 14;
  private static final double MIN_WIDTH = 96;
  private static final double BOX_HEIGHT = 46;
  private static final double LAYER_GAP = 46;
  private static final double MARGIN = 24;
  private static final double TITLE_HEIGHT = 34;

  private static final String SANS = "'DejaVu Sans', Verdana, sans-serif";
  private static final String MONO = "'DejaVu Sans Mono', Menlo, Consolas, monospace";

  private GraphPicture() {}

  /** The SVG document for {@code spec}'s layers, each application of a block as one box. */
  public static String svg(ModelSpec spec) {
    return svg(spec, false);
  }

  /** The SVG document; with {@code expandNested}, a box for every layer inside blocks too. */
  public static String svg(ModelSpec spec, boolean expandNested) {
    List<LayerSpec> layers = expandNested ? spec.layers() : CollapsedLayers.of(spec);
    if (layers.isEmpty()) {
      throw new IllegalArgumentException(
          "model " + spec.name() + " lists no layers to draw; rebuild it with this Kiln");
    }
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < layers.size(); i++) {
      index.put(layers.get(i).name(), i);
    }
    double[] widths = new double[layers.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = boxWidth(layers.get(i));
    }
    List<LayeredLayout.Edge> edges = new ArrayList<>();
    for (int to = 0; to < layers.size(); to++) {
      List<String> inputs = layers.get(to).inputs();
      for (int port = 0; port < inputs.size(); port++) {
        Integer from = index.get(inputs.get(port));
        if (from == null) {
          throw new IllegalArgumentException(
              "layer " + layers.get(to).name() + " reads '" + inputs.get(port)
                  + "', which model " + spec.name() + " does not list");
        }
        edges.add(new LayeredLayout.Edge(from, to, port, inputs.size()));
      }
    }
    LayeredLayout layout = LayeredLayout.of(widths, edges);
    Set<String> outputs = new HashSet<>();
    spec.outputs().stream().map(OutputSpec::name)
        .map(output -> expandNested ? output : CollapsedLayers.boxOf(spec, output))
        .forEach(outputs::add);
    return new Drawing(spec, layers, expandNested, layout, widths, edges, outputs).toString();
  }

  /** Wide enough for the name and type in bold and regular, and for the shape. */
  private static double boxWidth(LayerSpec layer) {
    double title = TextWidth.bold(layer.name(), NAME_SIZE)
        + TextWidth.regular(" (" + layer.type() + ")", NAME_SIZE);
    double shape = TextWidth.monospaced(Shapes.withBatch(layer.shape()), SHAPE_SIZE);
    return Math.max(MIN_WIDTH, Math.ceil(Math.max(title, shape) + 2 * PADDING));
  }

  /** The SVG text of one layout. */
  private static final class Drawing {
    private final StringBuilder svg = new StringBuilder();
    private final ModelSpec spec;
    private final List<LayerSpec> layers;
    /** Whether the layers inside blocks are drawn, rather than one box per application. */
    private final boolean expanded;
    private final LayeredLayout layout;
    private final double[] widths;
    private final List<LayeredLayout.Edge> edges;
    private final Set<String> outputs;

    Drawing(ModelSpec spec, List<LayerSpec> layers, boolean expanded, LayeredLayout layout,
        double[] widths, List<LayeredLayout.Edge> edges, Set<String> outputs) {
      this.spec = spec;
      this.layers = layers;
      this.expanded = expanded;
      this.layout = layout;
      this.widths = widths;
      this.edges = edges;
      this.outputs = outputs;
      draw();
    }

    private void draw() {
      String title = spec.name() + " (" + String.format(Locale.ROOT, "%,d", parameters())
          + " parameters)";
      double width = Math.max(layout.width(), TextWidth.bold(title, 15)) + 2 * MARGIN;
      double height = TITLE_HEIGHT + layout.layers() * (BOX_HEIGHT + LAYER_GAP) - LAYER_GAP
          + 2 * MARGIN;
      line("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
      line("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%s\" height=\"%s\""
          + " viewBox=\"0 0 %s %s\" font-family=\"%s\">", n(width), n(height), n(width),
          n(height), SANS);
      line("  <title>%s</title>", escape(title));
      line("  <defs>");
      line("    <marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"9\""
          + " markerHeight=\"9\" markerUnits=\"userSpaceOnUse\" orient=\"auto\">");
      line("      <path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#5f6368\"/>");
      line("    </marker>");
      line("  </defs>");
      line("  <rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>");
      line("  <text x=\"%s\" y=\"%s\" font-size=\"15\" font-weight=\"bold\""
          + " fill=\"#202124\">%s</text>", n(MARGIN), n(MARGIN + 15), escape(title));
      line("  <g class=\"edges\" fill=\"none\" stroke=\"#5f6368\" stroke-width=\"1.5\">");
      for (int e = 0; e < edges.size(); e++) {
        drawEdge(e);
      }
      line("  </g>");
      line("  <g class=\"layers\">");
      for (int i = 0; i < layers.size(); i++) {
        drawLayer(i);
      }
      line("  </g>");
      line("</svg>");
    }

    private void drawEdge(int e) {
      LayeredLayout.Edge edge = edges.get(e);
      int fromRank = layout.rank(edge.from());
      double x = left(layout.x(edge.from()));
      double y = top(fromRank) + BOX_HEIGHT;
      StringBuilder path = new StringBuilder("M " + n(x) + " " + n(y));
      int rank = fromRank + 1;
      for (double lane : layout.lanes(e)) {
        double laneX = left(lane);
        curve(path, x, y, laneX, top(rank));
        path.append(" L ").append(n(laneX)).append(' ').append(n(top(rank) + BOX_HEIGHT));
        x = laneX;
        y = top(rank) + BOX_HEIGHT;
        rank++;
      }
      curve(path, x, y, left(layout.x(edge.to()) + layout.portOffset(e)), top(rank));
      LayerSpec from = layers.get(edge.from());
      LayerSpec to = layers.get(edge.to());
      line("    <path class=\"edge\" data-from=\"%s\" data-to=\"%s\" d=\"%s\""
          + " marker-end=\"url(#arrow)\"/>", escape(from.name()), escape(to.name()), path);
    }

    /** A cubic curve leaving and arriving vertically. */
    private static void curve(StringBuilder path, double x0, double y0, double x1, double y1) {
      double middle = (y0 + y1) / 2;
      path.append(" C ").append(n(x0)).append(' ').append(n(middle)).append(' ')
          .append(n(x1)).append(' ').append(n(middle)).append(' ')
          .append(n(x1)).append(' ').append(n(y1));
    }

    private void drawLayer(int i) {
      LayerSpec layer = layers.get(i);
      double width = widths[i];
      double x = left(layout.x(i)) - width / 2;
      double y = top(layout.rank(i));
      String fill = "#f8f9fa";
      String stroke = "#80868b";
      String kind = "layer";
      if (layer.inputs().isEmpty()) {
        fill = "#e8f0fe";
        stroke = "#4a78c2";
        kind = "layer input";
      } else if (outputs.contains(layer.name())) {
        fill = "#e6f4ea";
        stroke = "#3c8c57";
        kind = "layer output";
      }
      ApplicationSpec holder = holder(layer.name());
      line("    <g class=\"%s\" data-name=\"%s\"%s>", kind, escape(layer.name()),
          holder == null ? "" : " data-application=\"" + escape(holder.name()) + "\"");
      line("      <title>%s (%s): %s, %s parameters%s</title>", escape(layer.name()),
          escape(layer.type()), Shapes.withBatch(layer.shape()),
          String.format(Locale.ROOT, "%,d", layer.parameters()),
          holder == null ? "" : escape(", in " + holder.name() + " (" + holder.type() + ")"));
      line("      <rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" rx=\"6\" fill=\"%s\""
          + " stroke=\"%s\" stroke-width=\"1.2\"/>", n(x), n(y), n(width), n(BOX_HEIGHT), fill,
          stroke);
      line("      <text x=\"%s\" y=\"%s\" font-size=\"%s\" text-anchor=\"middle\" fill=\"#202124\">"
          + "<tspan font-weight=\"bold\">%s</tspan> (%s)</text>", n(x + width / 2), n(y + 19),
          n(NAME_SIZE), escape(layer.name()), escape(layer.type()));
      line("      <text class=\"shape\" x=\"%s\" y=\"%s\" font-size=\"%s\" font-family=\"%s\""
          + " text-anchor=\"middle\" fill=\"#5f6368\">%s</text>", n(x + width / 2), n(y + 37),
          n(SHAPE_SIZE), MONO, Shapes.withBatch(layer.shape()));
      line("    </g>");
    }

    /** Where layers inside blocks are drawn: the application holding this box's layer, or null. */
    private ApplicationSpec holder(String box) {
      if (!expanded) {
        return null; // An application is a box of its own.
      }
      for (ApplicationSpec application : spec.applications()) {
        if (application.holds(box)) {
          return application;
        }
      }
      return null;
    }

    private long parameters() {
      long total = 0;
      for (LayerSpec layer : layers) {
        total += layer.parameters();
      }
      return total;
    }

    private static double left(double x) {
      return MARGIN + x;
    }

    private static double top(int rank) {
      return MARGIN + TITLE_HEIGHT + rank * (BOX_HEIGHT + LAYER_GAP);
    }

    private void line(String format, Object... arguments) {
      svg.append(String.format(Locale.ROOT, format, arguments)).append('\n');
    }

    /** A coordinate with at most one decimal. */
    private static String n(double value) {
      double rounded = Math.round(value * 10) / 10.0;
      return rounded == Math.rint(rounded)
          ? Long.toString((long) rounded)
          : Double.toString(rounded);
    }

    private static String escape(String text) {
      return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
          .replace("\"", "&quot;");
    }

    @Override
    public String toString() {
      return svg.toString();
    }
  }
}
