package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link LstmSteps} as plain Java loops in double precision over the arrays' native memory (see
 * {@link Elements}): float64 arrays, float32 where the Vector API is not available, and every
 * masked run (Keras' mask: a masked step carries h and c unchanged and repeats the last output).
 * Float32 gradients below {@link TinyGradients#FLOOR} are written as zero, as in the lanes.
 */
final class LstmCells implements LstmSteps {

  private final int n;
  private final int steps;
  private final int units;
  private final Elements gates;
  private final Elements recurrent;
  private final Elements bias;
  private final Elements state;
  private final Elements cell;
  private final Elements cellsBefore;
  private final Elements cellTanh;
  private final Elements statesBefore;
  private final Elements sequence;
  private final Elements dState;
  private final Elements dCell;
  private final Elements mask;
  /** A skipped step's gradient of h, which reaches h before the step unchanged. */
  private final Elements carried;
  /** Gradients below this magnitude are written as zero: {@link TinyGradients} for float32. */
  private final double floor;

  /** @param mask {@code (n, steps)}, 0 for a step to skip, or null */
  LstmCells(StepArrays step, LstmTrace trace, INDArray bias, INDArray sequence, INDArray mask) {
    this.n = (int) trace.gates().size(0);
    this.steps = (int) trace.gates().size(1);
    this.units = (int) step.state().size(1);
    this.gates = Elements.of(trace.gates());
    this.recurrent = Elements.of(step.recurrent());
    this.bias = ofNullable(bias);
    this.state = Elements.of(step.state());
    this.cell = Elements.of(step.cell());
    this.cellsBefore = ofNullable(trace.cellsBefore());
    this.cellTanh = ofNullable(trace.cellTanh());
    this.statesBefore = ofNullable(trace.statesBefore());
    this.sequence = ofNullable(sequence);
    this.dState = Elements.of(step.dState());
    this.dCell = Elements.of(step.dCell());
    this.mask = ofNullable(mask);
    this.carried = mask == null ? null : Elements.of(WorkArrays.get(LstmCells.class, "carried",
        step.state().dataType(), n, units));
    this.floor = TinyGradients.floorOf(gates);
  }

  /** {@code value}, or zero below {@link #floor} in magnitude. */
  private double flushed(double value) {
    return TinyGradients.flushed(value, floor);
  }

  /** Whether sample {@code row} skips step {@code t}. */
  private boolean skips(int row, int t) {
    return mask != null && mask.get(row * steps + t) == 0;
  }

  /** A skipped step's output: h, carried unchanged. */
  private void repeat(int row, int t) {
    if (sequence != null) {
      state.copyTo(row * units, sequence, (row * steps + t) * units, units);
    }
  }

  private static Elements ofNullable(INDArray array) {
    return array == null ? null : Elements.of(array);
  }

  @Override
  public void forward(int t) {
    int u = units;
    for (int row = 0; row < n; row++) {
      if (skips(row, t)) {
        // The trace's products read these; the step's zero gradients make them count for nothing.
        cell.copyTo(row * u, cellsBefore, (row * steps + t) * u, u);
        state.copyTo(row * u, statesBefore, (row * steps + t) * u, u);
        repeat(row, t);
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
        if (sequence != null) {
          sequence.set(step + unit, h);
        }
      }
    }
  }

  @Override
  public void infer(int t) {
    int u = units;
    for (int row = 0; row < n; row++) {
      if (skips(row, t)) {
        repeat(row, t);
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
        if (sequence != null) {
          sequence.set((row * steps + t) * u + unit, h);
        }
      }
    }
  }

  private double preActivation(int gate, int rec, int column) {
    double z = gates.get(gate + column) + recurrent.get(rec + column);
    return bias == null ? z : z + bias.get(column);
  }

  @Override
  public void backward(int t) {
    int u = units;
    for (int row = 0; row < n; row++) {
      int gate = (row * steps + t) * 4 * u;
      int step = (row * steps + t) * u;
      int running = row * u;
      int rec = row * 4 * u;
      if (skips(row, t)) {
        for (int unit = 0; unit < u; unit++) {
          carried.set(running + unit,
              dState.get(running + unit) + (sequence == null ? 0 : sequence.get(step + unit)));
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
        double dh = flushed(
            dState.get(running + unit) + (sequence == null ? 0 : sequence.get(step + unit)));
        double dc = flushed(dCell.get(running + unit) + dh * o * (1 - tanhC * tanhC));
        double di = flushed(dc * g * i * (1 - i));
        double df = flushed(dc * cellsBefore.get(step + unit) * f * (1 - f));
        double dg = flushed(dc * i * (1 - g * g));
        double dO = flushed(dh * tanhC * o * (1 - o));
        gates.set(gate + unit, di);
        gates.set(gate + unit + u, df);
        gates.set(gate + unit + 2 * u, dg);
        gates.set(gate + unit + 3 * u, dO);
        recurrent.set(rec + unit, di);
        recurrent.set(rec + unit + u, df);
        recurrent.set(rec + unit + 2 * u, dg);
        recurrent.set(rec + unit + 3 * u, dO);
        dCell.set(running + unit, flushed(dc * f));
      }
    }
  }

  @Override
  public void restoreCarried(int t) {
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
