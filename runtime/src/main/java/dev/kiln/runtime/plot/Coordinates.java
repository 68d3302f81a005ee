package dev.kiln.runtime.plot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Horizontal positions for layers already ordered, after Brandes and Köpf, "Fast and Simple
 * Horizontal Coordinate Assignment" (2001). Four passes (aligning with neighbours above or below,
 * packing to the left or to the right) each stack vertices into vertical blocks, preferring
 * long edges' lanes, and pack the blocks as tightly as their layers allow; the result is the
 * mean of the two middle passes per vertex. Edges within a block run straight down, so long
 * edges become straight lines and chains of layers straight columns.
 */
final class Coordinates {

  /** A segment between adjacent layers, entering {@code lower} {@code offset} right of centre. */
  record Segment(int upper, int lower, double offset) {}

  private final List<List<Integer>> layers;
  private final double[] width;
  private final boolean[] lane;
  private final double gap;
  private final double laneGap;
  private final List<Segment> segments;
  /** Per vertex, the indices of its segments to the layer above and to the layer below. */
  private final List<List<Integer>> above = new ArrayList<>();
  private final List<List<Integer>> below = new ArrayList<>();
  private final int[] layerOf;
  private final boolean[] conflicting;

  private Coordinates(List<List<Integer>> layers, double[] width, boolean[] lane,
      List<Segment> segments, double gap, double laneGap) {
    this.layers = layers;
    this.width = width;
    this.lane = lane;
    this.gap = gap;
    this.laneGap = laneGap;
    this.segments = List.copyOf(segments);
    this.layerOf = new int[width.length];
    for (int v = 0; v < width.length; v++) {
      above.add(new ArrayList<>());
      below.add(new ArrayList<>());
    }
    for (int s = 0; s < segments.size(); s++) {
      above.get(segments.get(s).lower()).add(s);
      below.get(segments.get(s).upper()).add(s);
    }
    int[] position = new int[width.length];
    for (int r = 0; r < layers.size(); r++) {
      for (int i = 0; i < layers.get(r).size(); i++) {
        layerOf[layers.get(r).get(i)] = r;
        position[layers.get(r).get(i)] = i;
      }
    }
    this.conflicting = markConflicts(position);
  }

  /**
   * The centre of every vertex; neighbours in a layer keep {@code gap} between their boxes, or
   * {@code laneGap} next to a lane. The leftmost box starts at 0.
   */
  static double[] assign(List<List<Integer>> layers, double[] width, boolean[] lane,
      List<Segment> segments, double gap, double laneGap) {
    return new Coordinates(layers, width, lane, segments, gap, laneGap).balanced();
  }

  private double[] balanced() {
    double[][] passes = new double[4][];
    double[] left = new double[4];
    double[] right = new double[4];
    int narrowest = 0;
    for (int pass = 0; pass < 4; pass++) {
      passes[pass] = pass(pass < 2, pass % 2 == 0);
      left[pass] = Double.MAX_VALUE;
      right[pass] = -Double.MAX_VALUE;
      for (int v = 0; v < width.length; v++) {
        left[pass] = Math.min(left[pass], passes[pass][v] - width[v] / 2);
        right[pass] = Math.max(right[pass], passes[pass][v] + width[v] / 2);
      }
      if (right[pass] - left[pass] < right[narrowest] - left[narrowest]) {
        narrowest = pass;
      }
    }
    // Leftward packings are aligned on the narrowest's left edge, rightward ones on its right.
    for (int pass = 0; pass < 4; pass++) {
      double shift = pass % 2 == 0 ? left[narrowest] - left[pass] : right[narrowest] - right[pass];
      for (int v = 0; v < width.length; v++) {
        passes[pass][v] += shift;
      }
    }
    double[] x = new double[width.length];
    double leftmost = Double.MAX_VALUE;
    for (int v = 0; v < width.length; v++) {
      double[] candidates = {passes[0][v], passes[1][v], passes[2][v], passes[3][v]};
      Arrays.sort(candidates);
      x[v] = (candidates[1] + candidates[2]) / 2;
      leftmost = Math.min(leftmost, x[v] - width[v] / 2);
    }
    for (int v = 0; v < width.length; v++) {
      x[v] -= leftmost;
    }
    return x;
  }

  /**
   * One pass: blocks aligned with the neighbours above ({@code downward}) or below, packed to
   * the left ({@code leftward}) or to the right.
   */
  private double[] pass(boolean downward, boolean leftward) {
    int n = width.length;
    // Positions in the pass's own horizontal order.
    List<List<Integer>> order = new ArrayList<>();
    int[] position = new int[n];
    for (List<Integer> layer : layers) {
      List<Integer> ordered = new ArrayList<>(layer);
      if (!leftward) {
        Collections.reverse(ordered);
      }
      for (int i = 0; i < ordered.size(); i++) {
        position[ordered.get(i)] = i;
      }
      order.add(ordered);
    }
    double mirror = leftward ? 1 : -1;

    int[] root = new int[n];
    int[] align = new int[n];
    double[] relative = new double[n];
    for (int v = 0; v < n; v++) {
      root[v] = v;
      align[v] = v;
    }
    for (int step = 1; step < order.size(); step++) {
      List<Integer> layer = order.get(downward ? step : order.size() - 1 - step);
      int bound = -1;
      for (int v : layer) {
        List<Integer> neighbours = new ArrayList<>(downward ? above.get(v) : below.get(v));
        if (neighbours.isEmpty()) {
          continue;
        }
        neighbours.sort((a, b) -> Integer.compare(
            position[other(segments.get(a), v)], position[other(segments.get(b), v)]));
        int count = neighbours.size();
        int[] medians = count % 2 == 1
            ? new int[] {count / 2}
            : new int[] {count / 2 - 1, count / 2};
        for (int m : medians) {
          Segment segment = segments.get(neighbours.get(m));
          int u = other(segment, v);
          if (align[v] == v && !conflicting[neighbours.get(m)] && bound < position[u]) {
            align[u] = v;
            root[v] = root[u];
            align[v] = root[v];
            bound = position[u];
            // Straight segment: the upper centre is the lower centre plus the port's offset.
            double offset = segment.offset() * mirror;
            relative[v] = relative[u] + (v == segment.lower() ? -offset : offset);
          }
        }
      }
    }

    double[] rootX = new double[n];
    boolean[] placed = new boolean[n];
    for (int v = 0; v < n; v++) {
      if (root[v] == v) {
        place(v, order, position, root, align, relative, rootX, placed);
      }
    }
    double[] x = new double[n];
    for (int v = 0; v < n; v++) {
      x[v] = (rootX[root[v]] + relative[v]) * mirror;
    }
    return x;
  }

  /** Packs block {@code v} as far as its members' neighbours in their layers let it. */
  private void place(int v, List<List<Integer>> order, int[] position, int[] root, int[] align,
      double[] relative, double[] rootX, boolean[] placed) {
    if (placed[v]) {
      return;
    }
    placed[v] = true;
    rootX[v] = 0;
    boolean first = true;
    int w = v;
    do {
      if (position[w] > 0) {
        int neighbour = order.get(layerOf[w]).get(position[w] - 1);
        int u = root[neighbour];
        place(u, order, position, root, align, relative, rootX, placed);
        double least = rootX[u] + relative[neighbour] + separation(neighbour, w) - relative[w];
        rootX[v] = first ? least : Math.max(rootX[v], least);
        first = false;
      }
      w = align[w];
    } while (w != v);
  }

  private double separation(int left, int right) {
    double space = lane[left] || lane[right] ? laneGap : gap;
    return (width[left] + width[right]) / 2 + space;
  }

  /**
   * Marks segments that cross a segment between two lanes, so that blocks follow long edges
   * rather than cut across them (Brandes and Köpf's type 1 conflicts).
   */
  private boolean[] markConflicts(int[] position) {
    boolean[] marked = new boolean[segments.size()];
    for (int r = 0; r + 1 < layers.size(); r++) {
      List<Integer> upper = layers.get(r);
      List<Integer> lower = layers.get(r + 1);
      int from = 0;
      int next = 0;
      for (int i = 0; i < lower.size(); i++) {
        Integer innerUpper = innerUpperNeighbour(lower.get(i));
        if (i == lower.size() - 1 || innerUpper != null) {
          int to = innerUpper != null ? position[innerUpper] : upper.size() - 1;
          for (; next <= i; next++) {
            for (int s : above.get(lower.get(next))) {
              int p = position[segments.get(s).upper()];
              if (p < from || p > to) {
                marked[s] = true;
              }
            }
          }
          from = to;
        }
      }
    }
    return marked;
  }

  /** The lane above {@code v} if {@code v} is a lane continuing a lane. */
  private Integer innerUpperNeighbour(int v) {
    if (!lane[v]) {
      return null;
    }
    for (int s : above.get(v)) {
      if (lane[segments.get(s).upper()]) {
        return segments.get(s).upper();
      }
    }
    return null;
  }

  private static int other(Segment segment, int v) {
    return segment.upper() == v ? segment.lower() : segment.upper();
  }
}
