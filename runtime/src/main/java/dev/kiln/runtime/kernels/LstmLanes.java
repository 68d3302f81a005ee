package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.FloatLanes.SPECIES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link LstmSteps} for float32 arrays in Vector API lanes, computing in float32: the same
 * equations as {@link LstmCells}, a vector of units at a time (16 with AVX-512), each exp one
 * vector instruction sequence rather than one call per element. Only {@link LstmSteps#of} creates
 * one, when {@link VectorApi} allows.
 */
final class LstmLanes implements LstmSteps {

  private static final FloatVector ONE = FloatVector.broadcast(SPECIES, 1f);
  private static final FloatVector TWO = FloatVector.broadcast(SPECIES, 2f);

  private final int n;
  private final int steps;
  private final int units;
  private final FloatLanes gates;
  private final FloatLanes recurrent;
  private final FloatLanes bias;
  private final FloatLanes state;
  private final FloatLanes cell;
  private final FloatLanes cellsBefore;
  private final FloatLanes cellTanh;
  private final FloatLanes statesBefore;
  private final FloatLanes sequence;
  private final FloatLanes dState;
  private final FloatLanes dCell;

  LstmLanes(StepArrays step, LstmTrace trace, INDArray bias, INDArray sequence) {
    this.n = (int) trace.gates().size(0);
    this.steps = (int) trace.gates().size(1);
    this.units = (int) step.state().size(1);
    this.gates = new FloatLanes(trace.gates());
    this.recurrent = new FloatLanes(step.recurrent());
    this.bias = FloatLanes.ofNullable(bias);
    this.state = new FloatLanes(step.state());
    this.cell = new FloatLanes(step.cell());
    this.cellsBefore = FloatLanes.ofNullable(trace.cellsBefore());
    this.cellTanh = FloatLanes.ofNullable(trace.cellTanh());
    this.statesBefore = FloatLanes.ofNullable(trace.statesBefore());
    this.sequence = FloatLanes.ofNullable(sequence);
    this.dState = new FloatLanes(step.dState());
    this.dCell = new FloatLanes(step.dCell());
  }

  /** The lanes of units {@code unit} on: null for all of them, else those before {@code units}. */
  private VectorMask<Float> lanes(int unit) {
    return unit + SPECIES.length() <= units ? null : SPECIES.indexInRange(unit, units);
  }

  @Override
  public void forward(int t) {
    int u = units;
    for (int row = 0; row < n; row++) {
      int gate = (row * steps + t) * 4 * u;
      int step = (row * steps + t) * u;
      int running = row * u;
      int rec = row * 4 * u;
      for (int unit = 0; unit < u; unit += SPECIES.length()) {
        VectorMask<Float> m = lanes(unit);
        FloatVector i = sigmoid(preActivation(gate, rec, unit, m));
        FloatVector f = sigmoid(preActivation(gate, rec, unit + u, m));
        FloatVector g = tanh(preActivation(gate, rec, unit + 2 * u, m));
        FloatVector o = sigmoid(preActivation(gate, rec, unit + 3 * u, m));
        FloatVector cBefore = cell.load(running + unit, m);
        FloatVector c = f.fma(cBefore, i.mul(g));
        FloatVector tanhC = tanh(c);
        FloatVector h = o.mul(tanhC);
        gates.store(i, gate + unit, m);
        gates.store(f, gate + unit + u, m);
        gates.store(g, gate + unit + 2 * u, m);
        gates.store(o, gate + unit + 3 * u, m);
        cellsBefore.store(cBefore, step + unit, m);
        statesBefore.store(state.load(running + unit, m), step + unit, m);
        cellTanh.store(tanhC, step + unit, m);
        cell.store(c, running + unit, m);
        state.store(h, running + unit, m);
        if (sequence != null) {
          sequence.store(h, step + unit, m);
        }
      }
    }
  }

  @Override
  public void infer(int t) {
    int u = units;
    for (int row = 0; row < n; row++) {
      int gate = (row * steps + t) * 4 * u;
      int running = row * u;
      int rec = row * 4 * u;
      for (int unit = 0; unit < u; unit += SPECIES.length()) {
        VectorMask<Float> m = lanes(unit);
        FloatVector i = sigmoid(preActivation(gate, rec, unit, m));
        FloatVector f = sigmoid(preActivation(gate, rec, unit + u, m));
        FloatVector g = tanh(preActivation(gate, rec, unit + 2 * u, m));
        FloatVector o = sigmoid(preActivation(gate, rec, unit + 3 * u, m));
        FloatVector c = f.fma(cell.load(running + unit, m), i.mul(g));
        FloatVector h = o.mul(tanh(c));
        cell.store(c, running + unit, m);
        state.store(h, running + unit, m);
        if (sequence != null) {
          sequence.store(h, (row * steps + t) * u + unit, m);
        }
      }
    }
  }

  private FloatVector preActivation(int gate, int rec, int column, VectorMask<Float> m) {
    FloatVector z = gates.load(gate + column, m).add(recurrent.load(rec + column, m));
    return bias == null ? z : z.add(bias.load(column, m));
  }

  @Override
  public void backward(int t) {
    int u = units;
    for (int row = 0; row < n; row++) {
      int gate = (row * steps + t) * 4 * u;
      int step = (row * steps + t) * u;
      int running = row * u;
      int rec = row * 4 * u;
      for (int unit = 0; unit < u; unit += SPECIES.length()) {
        VectorMask<Float> m = lanes(unit);
        FloatVector i = gates.load(gate + unit, m);
        FloatVector f = gates.load(gate + unit + u, m);
        FloatVector g = gates.load(gate + unit + 2 * u, m);
        FloatVector o = gates.load(gate + unit + 3 * u, m);
        FloatVector tanhC = cellTanh.load(step + unit, m);
        FloatVector dh = dState.load(running + unit, m);
        if (sequence != null) {
          dh = dh.add(sequence.load(step + unit, m));
        }
        FloatVector dc = dCell.load(running + unit, m).add(dh.mul(o).mul(oneMinusSquare(tanhC)));
        FloatVector di = dc.mul(g).mul(i).mul(oneMinus(i));
        FloatVector df = dc.mul(cellsBefore.load(step + unit, m)).mul(f).mul(oneMinus(f));
        FloatVector dg = dc.mul(i).mul(oneMinusSquare(g));
        FloatVector dO = dh.mul(tanhC).mul(o).mul(oneMinus(o));
        gates.store(di, gate + unit, m);
        gates.store(df, gate + unit + u, m);
        gates.store(dg, gate + unit + 2 * u, m);
        gates.store(dO, gate + unit + 3 * u, m);
        recurrent.store(di, rec + unit, m);
        recurrent.store(df, rec + unit + u, m);
        recurrent.store(dg, rec + unit + 2 * u, m);
        recurrent.store(dO, rec + unit + 3 * u, m);
        dCell.store(dc.mul(f), running + unit, m);
      }
    }
  }

  private static FloatVector oneMinus(FloatVector x) {
    return x.neg().add(1f);
  }

  private static FloatVector oneMinusSquare(FloatVector x) {
    return x.mul(x).neg().add(1f);
  }

  /** 1 / (1 + exp(-x)). */
  static FloatVector sigmoid(FloatVector x) {
    return ONE.div(x.neg().lanewise(VectorOperators.EXP).add(1f));
  }

  /** tanh(x) = 2 / (1 + exp(-2x)) - 1, as {@link LstmCells#tanh}. */
  static FloatVector tanh(FloatVector x) {
    return TWO.div(x.mul(-2f).lanewise(VectorOperators.EXP).add(1f)).sub(1f);
  }
}
