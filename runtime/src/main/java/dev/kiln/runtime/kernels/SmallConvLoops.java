package dev.kiln.runtime.kernels;

/**
 * The plain loops behind {@link SmallConvLanes}' and {@link SmallConvPoolGradient}'s {@link
 * LanesGate}s: the rows a cold call does not run in lanes, one filter at a time with the lanes'
 * operations in the lanes' order ({@code Math.fma} per tap, the same maxima), so that which rows
 * run where changes no bit. They allocate nothing, interpreted or compiled. Only code that
 * checked {@link VectorApi#ENABLED} may load this class.
 */
final class SmallConvLoops {

  private static final int WIDTH = FloatLanes.SPECIES.length();

  private SmallConvLoops() {}

  /** {@link SmallConvLanes}' convolution, output rows {@code [from, to)}. */
  static void convolveRows(SmallConvPlan p, FloatLanes out, int from, int to) {
    for (int row = from; row < to; row++) {
      int b = row / p.oh;
      int i = row % p.oh;
      for (int j = 0; j < p.ow; j++) {
        int corner = p.corner(b, i, j);
        int at = (row * p.ow + j) * p.filters;
        for (int f = 0; f < p.filters; f++) {
          out.set(at + f, sum(p, corner, f));
        }
      }
    }
  }

  /**
   * {@link SmallConvLanes}' pooled convolution, pooled rows {@code [from, to)}: ReLU of each 2x2
   * window's maximum, and where {@code trace} is not null its winning cell as the lanes pick it.
   */
  static void poolRows(SmallConvPlan p, FloatLanes pooled, FloatLanes trace, int columns,
      int from, int to) {
    int rowsPerImage = p.oh / 2;
    for (int row = from; row < to; row++) {
      int b = row / rowsPerImage;
      int i = 2 * (row % rowsPerImage);
      for (int j = 0; j < columns; j++) {
        int at = (row * columns + j) * p.filters;
        int left = 2 * j;
        int a0 = p.corner(b, i, left);
        int a1 = p.corner(b, i, left + 1);
        int a2 = p.corner(b, i + 1, left);
        int a3 = p.corner(b, i + 1, left + 1);
        for (int f = 0; f < p.filters; f++) {
          float s0 = sum(p, a0, f);
          float s1 = sum(p, a1, f);
          float s2 = sum(p, a2, f);
          float s3 = sum(p, a3, f);
          float max = Math.max(Math.max(s0, s1), Math.max(s2, s3));
          pooled.set(at + f, Math.max(max, 0f));
          if (trace != null) {
            trace.set(at + f, winningCell(s0, s1, s2, s3, max));
          }
        }
      }
    }
  }

  /** The first of the four equal to their maximum, or -1 where it is not positive (or NaN). */
  private static float winningCell(float s0, float s1, float s2, float s3, float max) {
    if (!(max > 0f)) {
      return -1f;
    }
    if (s0 == max) {
      return 0f;
    }
    if (s1 == max) {
      return 1f;
    }
    if (s2 == max) {
      return 2f;
    }
    return s3 == max ? 3f : -1f;
  }

  /** One output value: the bias, then each tap's product added, as the lanes add them. */
  private static float sum(SmallConvPlan p, int corner, int filter) {
    float[] x = p.x;
    float[] kernel = p.kernel;
    int[] taps = p.taps;
    int filters = p.filters;
    float sum = p.bias[filter];
    for (int t = 0; t < p.tapCount; t++) {
      sum = Math.fma(kernel[t * filters + filter], x[corner + taps[t]], sum);
    }
    return sum;
  }

  /**
   * {@link SmallConvPoolGradient}'s sums over the windows of pooled rows {@code [from, to)},
   * added into {@code sums} (kernel, then bias) in the lanes' order. A vector of filters whose
   * windows all pass nothing back is skipped, as the lanes skip it.
   */
  static void gradientRows(SmallConvPlan p, FloatLanes trace, FloatLanes dPooled,
      int columns, int from, int to, float[] sums) {
    int rowsPerImage = p.oh / 2;
    for (int row = from; row < to; row++) {
      int b = row / rowsPerImage;
      int i = 2 * (row % rowsPerImage);
      for (int j = 0; j < columns; j++) {
        int at = (row * columns + j) * p.filters;
        int left = 2 * j;
        int a0 = p.corner(b, i, left);
        int a1 = p.corner(b, i, left + 1);
        int a2 = p.corner(b, i + 1, left);
        int a3 = p.corner(b, i + 1, left + 1);
        for (int k = 0; k < p.filters; k += WIDTH) {
          if (passesBack(trace, at + k)) {
            for (int f = k; f < k + WIDTH; f++) {
              addWindow(p, a0, a1, a2, a3, trace.get(at + f), dPooled.get(at + f), f, sums);
            }
          }
        }
      }
    }
  }

  private static boolean passesBack(FloatLanes trace, int at) {
    for (int f = at; f < at + WIDTH; f++) {
      if (trace.get(f) >= 0f) {
        return true;
      }
    }
    return false;
  }

  /** One window's gradient {@code g} for one filter, to its winning cell {@code cell}. */
  private static void addWindow(SmallConvPlan p, int a0, int a1, int a2, int a3,
      float cell, float g, int filter, float[] sums) {
    float g0 = cell == 0f ? g : 0f;
    float g1 = cell == 1f ? g : 0f;
    float g2 = cell == 2f ? g : 0f;
    float g3 = cell == 3f ? g : 0f;
    float[] x = p.x;
    int[] taps = p.taps;
    int filters = p.filters;
    for (int t = 0; t < p.tapCount; t++) {
      int offset = taps[t];
      int at = t * filters + filter;
      float sum = sums[at];
      sum = Math.fma(g0, x[a0 + offset], sum);
      sum = Math.fma(g1, x[a1 + offset], sum);
      sum = Math.fma(g2, x[a2 + offset], sum);
      sum = Math.fma(g3, x[a3 + offset], sum);
      sums[at] = sum;
    }
    int bias = p.tapCount * filters + filter;
    sums[bias] += (g0 + g1) + (g2 + g3);
  }
}
