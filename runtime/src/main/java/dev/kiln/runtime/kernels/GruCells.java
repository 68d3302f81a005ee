package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;

/**
 * The element-wise part of GRU steps ({@code reset_after}), forward and backward, as one Java pass
 * over the {@code (n, units)} cells of a step, on the batch-major arrays of a run {@code (n, steps,
 * ...)}, as {@link LstmCells} does:
 *
 * <ul>
 *   <li>{@code gates (n, steps, 3 * units)}: on entry to {@link #forward} the input projections
 *       {@code x_t . kernel} without bias; on exit z, r and hh; after {@link #backward} the
 *       gradients with respect to the input side's pre-activations;
 *   <li>{@code candidateRecurrent (n, steps, units)}: {@code h . Uh + rh} of each step, which r
 *       scales;
 *   <li>{@code statesBefore (n, steps, units)}: h before each step;
 *   <li>{@code dRecurrent (n, steps, 3 * units)}: the gradients with respect to {@code h . U + rb}.
 * </ul>
 *
 * The step itself is in fixed per-thread arrays ({@link StepArrays}): {@code recurrent (n, 3 *
 * units)} holds {@code h . recurrentKernel} forward and the step's {@code dRecurrent} backward;
 * {@code state} the running h; {@code dCell} the gradient that reaches h directly, through {@code
 * z * h}.
 */
final class GruCells {

  private final int n;
  private final int steps;
  private final int units;
  private final Elements gates;
  private final Elements recurrent;
  private final Elements bias;
  private final Elements state;
  private final Elements mask;
  /** Gradients below this magnitude are written as zero: {@link TinyGradients} for float32. */
  private final double floor;

  /**
   * @param bias {@code (2, 3 * units)}: the input bias, then the recurrent bias; or null
   * @param mask {@code (n, steps)}, 0 for a step to skip (Keras' mask), or null
   */
  GruCells(int n, int steps, int units, Elements gates, Elements recurrent, Elements bias,
      Elements state, Elements mask) {
    this.n = n;
    this.steps = steps;
    this.units = units;
    this.gates = gates;
    this.recurrent = recurrent;
    this.bias = bias;
    this.state = state;
    this.mask = mask;
    this.floor = TinyGradients.floorOf(gates);
  }

  /**
   * Whether sample {@code row} skips step {@code t}: Keras carries h over a masked step
   * unchanged, and the step's output repeats the last one.
   */
  private boolean skips(int row, int t) {
    return mask != null && mask.get(row * steps + t) == 0;
  }

  /**
   * Step {@code t}: z, r and hh in the projections' place, the step's {@code h . Uh + rh} and h
   * before it into the trace if given, the running h, and h into {@code out} if given.
   */
  void forward(int t, Elements candidateRecurrent, Elements statesBefore, Elements out) {
    int u = units;
    for (int row = 0; row < n; row++) {
      int gate = (row * steps + t) * 3 * u;
      int step = (row * steps + t) * u;
      int running = row * u;
      int rec = row * 3 * u;
      if (skips(row, t)) {
        // The trace's products read h before; the step's zero gradients make it count for nothing.
        if (statesBefore != null) {
          state.copyTo(running, statesBefore, step, u);
        }
        if (out != null) {
          state.copyTo(running, out, step, u);
        }
        continue;
      }
      for (int unit = 0; unit < u; unit++) {
        double h = state.get(running + unit);
        double z = sigmoid(gates.get(gate + unit) + inputBias(unit)
            + recurrent.get(rec + unit) + recurrentBias(unit));
        double r = sigmoid(gates.get(gate + u + unit) + inputBias(u + unit)
            + recurrent.get(rec + u + unit) + recurrentBias(u + unit));
        double hRecurrent = recurrent.get(rec + 2 * u + unit) + recurrentBias(2 * u + unit);
        double hh = LstmCells.tanh(gates.get(gate + 2 * u + unit) + inputBias(2 * u + unit) + r * hRecurrent);
        double next = z * h + (1 - z) * hh;
        if (statesBefore != null) {
          gates.set(gate + unit, z);
          gates.set(gate + u + unit, r);
          gates.set(gate + 2 * u + unit, hh);
          candidateRecurrent.set(step + unit, hRecurrent);
          statesBefore.set(step + unit, h);
        }
        state.set(running + unit, next);
        if (out != null) {
          out.set(step + unit, next);
        }
      }
    }
  }

  private double inputBias(int column) {
    return bias == null ? 0 : bias.get(column);
  }

  private double recurrentBias(int column) {
    return bias == null ? 0 : bias.get(3 * units + column);
  }

  /**
   * Step {@code t} undone: the input side's pre-activation gradients in {@code gates}, the
   * recurrent side's in {@code dRecurrent} and in {@code recurrent} (for the product that gives
   * the gradient of h before the step), and in {@code dDirect} the part of that gradient that
   * flows through {@code z * h}.
   *
   * @param dState the gradient with respect to h after the step that came through the recurrent
   *     product of the later step
   * @param dOut the gradient of the output sequence {@code (n, steps, units)}, or null when the
   *     output is the last h only
   * @param dDirect on entry, the gradient with respect to h after the step that came directly
   *     from the later step; on exit, the one with respect to h before this step (all of it, for
   *     a skipped step, whose gates get none)
   */
  void backward(int t, Elements candidateRecurrent, Elements statesBefore, Elements dRecurrent,
      Elements dState, Elements dOut, Elements dDirect) {
    int u = units;
    for (int row = 0; row < n; row++) {
      int gate = (row * steps + t) * 3 * u;
      int step = (row * steps + t) * u;
      int running = row * u;
      int rec = row * 3 * u;
      if (skips(row, t)) {
        for (int unit = 0; unit < u; unit++) {
          dDirect.set(running + unit, dState.get(running + unit) + dDirect.get(running + unit)
              + (dOut == null ? 0 : dOut.get(step + unit)));
        }
        gates.fill(gate, 3 * u, 0);
        dRecurrent.fill(gate, 3 * u, 0);
        recurrent.fill(rec, 3 * u, 0);
        continue;
      }
      for (int unit = 0; unit < u; unit++) {
        double z = gates.get(gate + unit);
        double r = gates.get(gate + u + unit);
        double hh = gates.get(gate + 2 * u + unit);
        double h = statesBefore.get(step + unit);
        double dh = TinyGradients.flushed(dState.get(running + unit) + dDirect.get(running + unit)
            + (dOut == null ? 0 : dOut.get(step + unit)), floor);
        double dz = TinyGradients.flushed(dh * (h - hh) * z * (1 - z), floor);
        double dhh = TinyGradients.flushed(dh * (1 - z) * (1 - hh * hh), floor);
        double dr = TinyGradients.flushed(dhh * candidateRecurrent.get(step + unit) * r * (1 - r),
            floor);
        double dhhReset = TinyGradients.flushed(dhh * r, floor);
        gates.set(gate + unit, dz);
        gates.set(gate + u + unit, dr);
        gates.set(gate + 2 * u + unit, dhh);
        dRecurrent.set(gate + unit, dz);
        dRecurrent.set(gate + u + unit, dr);
        dRecurrent.set(gate + 2 * u + unit, dhhReset);
        recurrent.set(rec + unit, dz);
        recurrent.set(rec + u + unit, dr);
        recurrent.set(rec + 2 * u + unit, dhhReset);
        dDirect.set(running + unit, TinyGradients.flushed(dh * z, floor));
      }
    }
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }
}
