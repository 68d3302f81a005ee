package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;

/**
 * The element-wise part of LSTM steps, forward and backward, as one Java pass over the {@code (n,
 * units)} cells of a step (see {@link Elements}) rather than a dozen native op calls. Even the
 * activations: on a busy two-core machine one native sigmoid over a step's gates took 100 to 700
 * microseconds, the whole forward pass in Java a steady 200.
 *
 * <p>It reads and writes the batch-major arrays of a run, {@code (n, steps, ...)}, so that the
 * input sequence, the pre-activations of all steps and the input gradient are each one matrix of
 * {@code n * steps} rows for the products the steps share, with no reordering copy:
 *
 * <ul>
 *   <li>{@code gates (n, steps, 4 * units)}: on entry to {@link #forward} the input projections
 *       {@code x_t . kernel} without bias; on exit the gates i, f, g, o; after {@link #backward},
 *       the gradients with respect to the pre-activations;
 *   <li>{@code cellsBefore}, {@code statesBefore (n, steps, units)}: c and h before each step;
 *   <li>{@code cellTanh (n, steps, units)}: tanh(c) after each step.
 * </ul>
 *
 * <p>The step being computed lives in fixed per-thread {@code (n, ...)} matrices, so that the one
 * product per step runs on the same arrays every time ({@link Matmul}): {@code recurrent} holds
 * {@code h . recurrentKernel} forward and the step's pre-activation gradients backward, {@code
 * state} and {@code cell} the running h and c, {@code dState} and {@code dCell} their gradients.
 */
final class LstmCells {

  private final int n;
  private final int steps;
  private final int units;
  private final Elements gates;
  private final Elements recurrent;
  private final Elements bias;
  private final Elements state;
  private final Elements cell;
  private final Elements mask;

  /**
   * @param bias {@code (4 * units)} or null
   * @param mask {@code (n, steps)}, 0 for a step to skip (Keras' mask), or null
   */
  LstmCells(int n, int steps, int units, Elements gates, Elements recurrent, Elements bias,
      Elements state, Elements cell, Elements mask) {
    this.n = n;
    this.steps = steps;
    this.units = units;
    this.gates = gates;
    this.recurrent = recurrent;
    this.bias = bias;
    this.state = state;
    this.cell = cell;
    this.mask = mask;
  }

  /**
   * Whether sample {@code row} skips step {@code t}: Keras carries h and c over a masked step
   * unchanged, and the step's output repeats the last one.
   */
  private boolean skips(int row, int t) {
    return mask != null && mask.get(row * steps + t) == 0;
  }

  /** A skipped step's output: h, carried unchanged. */
  private void repeat(int row, int t, Elements out) {
    if (out != null) {
      state.copyTo(row * units, out, (row * steps + t) * units, units);
    }
  }

  /**
   * Step {@code t} of a run that keeps its trace: the gates from the input projection, the bias
   * and {@code recurrent}, in the projection's place; c and h before the step into {@code
   * cellsBefore} and {@code statesBefore}; then the running c and h, and h into {@code out} if
   * given ({@code (n, steps, units)}, row-major).
   */
  void forward(int t, Elements cellsBefore, Elements cellTanh, Elements statesBefore, Elements out) {
    int u = units;
    for (int row = 0; row < n; row++) {
      if (skips(row, t)) {
        // The trace's products read these; the step's zero gradients make them count for nothing.
        cell.copyTo(row * u, cellsBefore, (row * steps + t) * u, u);
        state.copyTo(row * u, statesBefore, (row * steps + t) * u, u);
        repeat(row, t, out);
        continue;
      }
      int gate = (row * steps + t) * 4 * u;
      int step = (row * steps + t) * u;
      int running = row * u;
      int rec = row * 4 * u;
      for (int unit = 0; unit < u; unit++) {
        double i = sigmoid(preActivation(gate, rec, unit));
        double f = sigmoid(preActivation(gate, rec, unit + u));
        double g = tanh(preActivation(gate, rec, unit + 2 * u));
        double o = sigmoid(preActivation(gate, rec, unit + 3 * u));
        double cBefore = cell.get(running + unit);
        double c = f * cBefore + i * g;
        double tanhC = tanh(c);
        double h = o * tanhC;
        gates.set(gate + unit, i);
        gates.set(gate + unit + u, f);
        gates.set(gate + unit + 2 * u, g);
        gates.set(gate + unit + 3 * u, o);
        cellsBefore.set(step + unit, cBefore);
        statesBefore.set(step + unit, state.get(running + unit));
        cellTanh.set(step + unit, tanhC);
        cell.set(running + unit, c);
        state.set(running + unit, h);
        if (out != null) {
          out.set(step + unit, h);
        }
      }
    }
  }

  /**
   * Step {@code t} of a run that keeps nothing: the running c and h from the input projection,
   * the bias and {@code recurrent}, and h into {@code out} if given.
   */
  void infer(int t, Elements out) {
    int u = units;
    for (int row = 0; row < n; row++) {
      if (skips(row, t)) {
        repeat(row, t, out);
        continue;
      }
      int gate = (row * steps + t) * 4 * u;
      int running = row * u;
      int rec = row * 4 * u;
      for (int unit = 0; unit < u; unit++) {
        double i = sigmoid(preActivation(gate, rec, unit));
        double f = sigmoid(preActivation(gate, rec, unit + u));
        double g = tanh(preActivation(gate, rec, unit + 2 * u));
        double o = sigmoid(preActivation(gate, rec, unit + 3 * u));
        double c = f * cell.get(running + unit) + i * g;
        double h = o * tanh(c);
        cell.set(running + unit, c);
        state.set(running + unit, h);
        if (out != null) {
          out.set((row * steps + t) * u + unit, h);
        }
      }
    }
  }

  private double preActivation(int gate, int rec, int column) {
    double z = gates.get(gate + column) + recurrent.get(rec + column);
    return bias == null ? z : z + bias.get(column);
  }

  /**
   * Step {@code t} undone: turns its gates into the gradients with respect to their
   * pre-activations, in {@code gates} and in {@code recurrent} (for the product that gives the
   * gradient of the state before the step), and {@code dCell} from the gradient with respect to
   * the cell after the step (without what flows in through h) into the one before it.
   *
   * @param dState {@code (n, units)}: the gradient with respect to h after the step, from the
   *     later steps
   * @param dOut the gradient of the layer's output sequence {@code (n, steps, units)}, whose step
   *     {@code t} adds to {@code dState}; or null when the output is the last h only
   * @param carried for a skipped step, written with the gradient of h, which reaches h before
   *     the step unchanged ({@link #restoreCarried}); its gates get no gradient, and c's passes
   */
  void backward(int t, Elements cellsBefore, Elements cellTanh, Elements dState, Elements dOut,
      Elements dCell, Elements carried) {
    int u = units;
    for (int row = 0; row < n; row++) {
      int gate = (row * steps + t) * 4 * u;
      int step = (row * steps + t) * u;
      int running = row * u;
      int rec = row * 4 * u;
      if (skips(row, t)) {
        for (int unit = 0; unit < u; unit++) {
          carried.set(running + unit,
              dState.get(running + unit) + (dOut == null ? 0 : dOut.get(step + unit)));
        }
        gates.fill(gate, 4 * u, 0);
        recurrent.fill(rec, 4 * u, 0);
        continue;
      }
      for (int unit = 0; unit < u; unit++) {
        double i = gates.get(gate + unit);
        double f = gates.get(gate + unit + u);
        double g = gates.get(gate + unit + 2 * u);
        double o = gates.get(gate + unit + 3 * u);
        double tanhC = cellTanh.get(step + unit);
        double dh = dState.get(running + unit) + (dOut == null ? 0 : dOut.get(step + unit));
        double dc = dCell.get(running + unit) + dh * o * (1 - tanhC * tanhC);
        double di = dc * g * i * (1 - i);
        double df = dc * cellsBefore.get(step + unit) * f * (1 - f);
        double dg = dc * i * (1 - g * g);
        double dO = dh * tanhC * o * (1 - o);
        gates.set(gate + unit, di);
        gates.set(gate + unit + u, df);
        gates.set(gate + unit + 2 * u, dg);
        gates.set(gate + unit + 3 * u, dO);
        recurrent.set(rec + unit, di);
        recurrent.set(rec + unit + u, df);
        recurrent.set(rec + unit + 2 * u, dg);
        recurrent.set(rec + unit + 3 * u, dO);
        dCell.set(running + unit, dc * f);
      }
    }
  }

  /**
   * After the product that gives the gradient of h before step {@code t}: a sample that skipped
   * the step gets the gradient {@link #backward} carried over it instead.
   */
  void restoreCarried(int t, Elements dState, Elements carried) {
    if (mask == null) {
      return;
    }
    for (int row = 0; row < n; row++) {
      if (skips(row, t)) {
        carried.copyTo(row * units, dState, row * units, units);
      }
    }
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /**
   * tanh through one exp, which the JIT turns into an intrinsic: Math.tanh is eight times slower.
   * Its error near 0 is absolute, about 1e-16, not relative.
   */
  static double tanh(double x) {
    return 2 / (1 + Math.exp(-2 * x)) - 1;
  }
}
