package dev.kiln.runtime.plot;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Places a directed acyclic graph in horizontal layers, drawn top to bottom, by Sugiyama's
 * method, the one Graphviz' {@code dot} follows:
 *
 * <ol>
 *   <li>layers by longest path from the inputs, each input then moved down to just above its
 *       first reader (as {@code dot} places a second input next to where it joins);
 *   <li>an edge spanning several layers passes each layer between its ends through a lane, a
 *       node without width that the other steps treat like any node;
 *   <li>the order within each layer by barycenters, sweeping down and up, keeping the order with
 *       the fewest crossings; an input's place among a node's inputs counts, so that inputs
 *       stay in their declared order where they can;
 *   <li>the horizontal positions by {@link Coordinates}: Brandes and Köpf's vertical blocks,
 *       so that chains of layers and long edges run straight.
 * </ol>
 */
final class LayeredLayout {

  /** An edge into input {@code port} (from 0) of the {@code ports} of node {@code to}. */
  record Edge(int from, int to, int port, int ports) {}

  /**
   * The part of edge number {@code edge} between adjacent layers, from vertex {@code upper} to
   * vertex {@code lower}, which it enters {@code offset} right of its centre.
   */
  private record Segment(int upper, int lower, double offset, int edge) {}

  /** Space between two boxes of a layer. */
  static final double GAP = 28;

  /** Space between a lane and its neighbours. */
  static final double LANE_GAP = 12;

  private static final int ORDER_SWEEPS = 24;

  private final int nodes;
  private final List<Edge> edges;
  private final double[] portOffsets;
  // Vertices: the nodes 0 .. nodes-1, then the lanes.
  private final List<Double> width = new ArrayList<>();
  private final List<Integer> rank = new ArrayList<>();
  /** Per edge, its vertices from its source to its target. */
  private final List<int[]> chains = new ArrayList<>();
  private final List<Segment> segments = new ArrayList<>();
  private List<List<Integer>> layers;
  private double[] x;

  private LayeredLayout(double[] widths, List<Edge> edges) {
    this.nodes = widths.length;
    this.edges = List.copyOf(edges);
    this.portOffsets = new double[edges.size()];
    for (double w : widths) {
      width.add(w);
    }
  }

  /** Lays out nodes of the given widths, listed in a topological order, and their edges. */
  static LayeredLayout of(double[] widths, List<Edge> edges) {
    LayeredLayout layout = new LayeredLayout(widths, edges);
    layout.assignRanks();
    layout.addLanes();
    layout.orderLayers();
    layout.placeHorizontally();
    return layout;
  }

  int layers() {
    return layers.size();
  }

  int rank(int node) {
    return rank.get(node);
  }

  /** The horizontal centre of a node; the leftmost box starts at 0. */
  double x(int node) {
    return x[node];
  }

  /** The horizontal distance from the centre of its target to where {@code edge} enters it. */
  double portOffset(int edge) {
    return portOffsets[edge];
  }

  /** The horizontal position of {@code edge}'s lane in each layer strictly between its ends. */
  double[] lanes(int edge) {
    int[] chain = chains.get(edge);
    double[] lanes = new double[chain.length - 2];
    for (int i = 1; i < chain.length - 1; i++) {
      lanes[i - 1] = x[chain[i]];
    }
    return lanes;
  }

  /** The width of the drawing, from the left edge of the leftmost box to the right of the last. */
  double width() {
    double right = 0;
    for (int v = 0; v < nodes; v++) {
      right = Math.max(right, x[v] + width.get(v) / 2);
    }
    return right;
  }

  /** Crossings between edges, as finally ordered, counted between adjacent layers. */
  int crossings() {
    return countCrossings(positions());
  }

  // ---- 1. layers ----

  private void assignRanks() {
    int[] ranks = new int[nodes];
    for (Edge edge : edges) {
      if (edge.from() >= edge.to()) {
        throw new IllegalArgumentException(
            "nodes must be listed in a topological order; edge " + edge + " goes back");
      }
    }
    // Sorted by target, every source's rank is final before its readers are ranked.
    List<Edge> byTarget = new ArrayList<>(edges);
    byTarget.sort(Comparator.comparingInt(Edge::to));
    for (Edge edge : byTarget) {
      ranks[edge.to()] = Math.max(ranks[edge.to()], ranks[edge.from()] + 1);
    }
    for (int v = 0; v < nodes; v++) {
      boolean source = true;
      int firstReader = Integer.MAX_VALUE;
      for (Edge edge : edges) {
        source &= edge.to() != v;
        if (edge.from() == v) {
          firstReader = Math.min(firstReader, ranks[edge.to()]);
        }
      }
      if (source && firstReader != Integer.MAX_VALUE) {
        ranks[v] = firstReader - 1;
      }
    }
    for (int v = 0; v < nodes; v++) {
      rank.add(ranks[v]);
    }
  }

  // ---- 2. lanes ----

  private void addLanes() {
    for (int e = 0; e < edges.size(); e++) {
      Edge edge = edges.get(e);
      double targetWidth = width.get(edge.to());
      double spread = Math.min(targetWidth * 0.6, (edge.ports() - 1) * 36.0);
      portOffsets[e] = edge.ports() == 1
          ? 0
          : -spread / 2 + spread * edge.port() / (edge.ports() - 1);
      int from = rank.get(edge.from());
      int to = rank.get(edge.to());
      int[] chain = new int[to - from + 1];
      chain[0] = edge.from();
      for (int r = from + 1; r < to; r++) {
        width.add(0.0);
        rank.add(r);
        chain[r - from] = width.size() - 1;
      }
      chain[chain.length - 1] = edge.to();
      chains.add(chain);
      for (int i = 0; i + 1 < chain.length; i++) {
        boolean last = i + 2 == chain.length;
        segments.add(new Segment(chain[i], chain[i + 1], last ? portOffsets[e] : 0, e));
      }
    }
  }

  private boolean isLane(int vertex) {
    return vertex >= nodes;
  }

  // ---- 3. order within layers ----

  private void orderLayers() {
    int count = 0;
    for (int r : rank) {
      count = Math.max(count, r + 1);
    }
    layers = new ArrayList<>();
    for (int r = 0; r < count; r++) {
      layers.add(new ArrayList<>());
    }
    for (int v = 0; v < width.size(); v++) {
      layers.get(rank.get(v)).add(v);
    }
    List<List<Integer>> best = copy(layers);
    int fewest = countCrossings(positions());
    for (int sweep = 0; sweep < ORDER_SWEEPS && fewest > 0; sweep++) {
      boolean down = sweep % 2 == 0;
      if (down) {
        for (int r = 1; r < layers.size(); r++) {
          sortByBarycentre(r, true);
        }
      } else {
        for (int r = layers.size() - 2; r >= 0; r--) {
          sortByBarycentre(r, false);
        }
      }
      int crossings = countCrossings(positions());
      if (crossings < fewest) {
        fewest = crossings;
        best = copy(layers);
      }
    }
    layers = best;
  }

  /** Orders layer {@code r} by the mean position of each vertex's neighbours above or below. */
  private void sortByBarycentre(int r, boolean fromAbove) {
    double[] position = positions();
    List<Integer> layer = layers.get(r);
    double[] sum = new double[width.size()];
    int[] count = new int[width.size()];
    for (Segment segment : segments) {
      int upper = segment.upper();
      int lower = segment.lower();
      if (fromAbove && rank.get(lower) == r) {
        sum[lower] += position[upper];
        count[lower]++;
      } else if (!fromAbove && rank.get(upper) == r) {
        sum[upper] += position[lower] + portFraction(segment);
        count[upper]++;
      }
    }
    double[] key = new double[width.size()];
    for (int v : layer) {
      key[v] = count[v] == 0 ? position[v] : sum[v] / count[v];
    }
    // Stable: ties keep their order.
    layer.sort(Comparator.comparingDouble(v -> key[v]));
  }

  /** Where in its target a segment ends, as a fraction of one position: -0.25 to 0.25. */
  private double portFraction(Segment segment) {
    if (isLane(segment.lower())) {
      return 0;
    }
    Edge edge = edges.get(segment.edge());
    return edge.ports() == 1 ? 0 : 0.5 * (edge.port() + 1) / (edge.ports() + 1) - 0.25;
  }

  private double[] positions() {
    double[] position = new double[width.size()];
    for (List<Integer> layer : layers) {
      for (int i = 0; i < layer.size(); i++) {
        position[layer.get(i)] = i;
      }
    }
    return position;
  }

  private int countCrossings(double[] position) {
    int crossings = 0;
    for (int i = 0; i < segments.size(); i++) {
      Segment a = segments.get(i);
      for (int j = i + 1; j < segments.size(); j++) {
        Segment b = segments.get(j);
        if (!rank.get(a.upper()).equals(rank.get(b.upper()))) {
          continue;
        }
        double top = position[a.upper()] - position[b.upper()];
        double bottom = position[a.lower()] + portFraction(a)
            - position[b.lower()] - portFraction(b);
        if (top * bottom < 0) {
          crossings++;
        }
      }
    }
    return crossings;
  }

  private static List<List<Integer>> copy(List<List<Integer>> layers) {
    List<List<Integer>> copy = new ArrayList<>();
    layers.forEach(layer -> copy.add(new ArrayList<>(layer)));
    return copy;
  }

  // ---- 4. horizontal positions ----

  private void placeHorizontally() {
    double[] widths = new double[width.size()];
    boolean[] lanes = new boolean[width.size()];
    for (int v = 0; v < widths.length; v++) {
      widths[v] = width.get(v);
      lanes[v] = isLane(v);
    }
    List<Coordinates.Segment> straight = new ArrayList<>();
    for (Segment segment : segments) {
      straight.add(
          new Coordinates.Segment(segment.upper(), segment.lower(), segment.offset()));
    }
    x = Coordinates.assign(layers, widths, lanes, straight, GAP, LANE_GAP);
  }
}
