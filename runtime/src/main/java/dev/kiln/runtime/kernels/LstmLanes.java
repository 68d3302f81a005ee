package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.FloatLanes.ORDER;
import static dev.kiln.runtime.kernels.FloatLanes.SPECIES;

import java.nio.ByteBuffer;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link LstmSteps} for float32 arrays in Vector API lanes, computing in float32: the same
 * equations as {@link LstmCells}, a vector of units at a time (16 with AVX-512), each exp one
 * vector instruction sequence rather than one call per element. The backward pass writes gradients
 * below {@link TinyGradients#FLOOR} as zero. Only {@link LstmSteps#of} creates one, when {@link
 * VectorApi} allows.
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

  /*
   * Each pass loops over rows and vectors of units and calls one method per vector that loads,
   * computes and stores it, so that no FloatVector crosses a call C2 may leave out of line. The
   * whole vectors take loads and stores without a mask: with the masked ones (whose JDK 17 code
   * is large) a step's loop body passed C2's NodeCountInliningCutoff, the loads and stores after
   * it stayed calls, and every vector that crossed one was boxed on the heap (12 MB per forward
   * call of LSTM(128) at 64x28). Only a last, partial vector of a row takes masks.
   */

  /** The number of units in whole vectors. */
  private int wholeUnits() {
    return units - units % SPECIES.length();
  }

  /** The lanes of the units from {@code unit} on that are before {@code units}. */
  private VectorMask<Float> tail(int unit) {
    return SPECIES.indexInRange(unit, units);
  }

  @Override
  public void forward(int t) {
    int u = units;
    int whole = wholeUnits();
    for (int row = 0; row < n; row++) {
      int gate = (row * steps + t) * 4 * u;
      int step = (row * steps + t) * u;
      int running = row * u;
      int rec = row * 4 * u;
      for (int unit = 0; unit < whole; unit += SPECIES.length()) {
        forward(gate + unit, step + unit, running + unit, rec + unit, unit);
      }
      if (whole < u) {
        forward(gate + whole, step + whole, running + whole, rec + whole, whole, tail(whole));
      }
    }
  }

  /**
   * One whole vector of {@link #forward(int)}: {@code gate} to {@code rec} include the unit. The
   * gates go through {@code gates} to the cell's update, each part a method of its own (below
   * C2's node cutoff, see above).
   */
  private void forward(int gate, int step, int running, int rec, int unit) {
    activate(gate, rec, unit, false);
    activate(gate + units, rec + units, unit + units, false);
    activate(gate + 2 * units, rec + 2 * units, unit + 2 * units, true);
    activate(gate + 3 * units, rec + 3 * units, unit + 3 * units, false);
    update(gate, step, running, true);
  }

  /**
   * A whole vector of one gate, from its pre-activation into {@code gates}: sigmoid, or tanh with
   * {@code tanh}. Here and in the other whole-vector parts every call on a vector is the Vector
   * API's own (which C2 inlines past its cutoff), none to {@link FloatLanes} or {@link #sigmoid}.
   */
  private void activate(int gate, int rec, int column, boolean tanh) {
    FloatVector z = FloatVector.fromByteBuffer(SPECIES, gates.buffer, gates.base + gate * 4, ORDER)
        .add(FloatVector.fromByteBuffer(SPECIES, recurrent.buffer, recurrent.base + rec * 4,
            ORDER));
    if (bias != null) {
      z = z.add(FloatVector.fromByteBuffer(SPECIES, bias.buffer, bias.base + column * 4, ORDER));
    }
    FloatVector a = tanh
        ? TWO.div(z.mul(-2f).lanewise(VectorOperators.EXP).add(1f)).sub(1f)
        : ONE.div(z.neg().lanewise(VectorOperators.EXP).add(1f));
    a.intoByteBuffer(gates.buffer, gates.base + gate * 4, ORDER);
  }

  /** A whole vector's c and h from its gates; with {@code traced}, c, h and tanh(c) kept. */
  private void update(int gate, int step, int running, boolean traced) {
    int u = units;
    ByteBuffer b = gates.buffer;
    int at = gates.base + gate * 4;
    FloatVector i = FloatVector.fromByteBuffer(SPECIES, b, at, ORDER);
    FloatVector f = FloatVector.fromByteBuffer(SPECIES, b, at + u * 4, ORDER);
    FloatVector g = FloatVector.fromByteBuffer(SPECIES, b, at + 2 * u * 4, ORDER);
    FloatVector o = FloatVector.fromByteBuffer(SPECIES, b, at + 3 * u * 4, ORDER);
    int c0 = cell.base + running * 4;
    FloatVector cBefore = FloatVector.fromByteBuffer(SPECIES, cell.buffer, c0, ORDER);
    FloatVector c = f.fma(cBefore, i.mul(g));
    FloatVector tanhC = TWO.div(c.mul(-2f).lanewise(VectorOperators.EXP).add(1f)).sub(1f);
    FloatVector h = o.mul(tanhC);
    int h0 = state.base + running * 4;
    if (traced) {
      cBefore.intoByteBuffer(cellsBefore.buffer, cellsBefore.base + step * 4, ORDER);
      FloatVector.fromByteBuffer(SPECIES, state.buffer, h0, ORDER)
          .intoByteBuffer(statesBefore.buffer, statesBefore.base + step * 4, ORDER);
      tanhC.intoByteBuffer(cellTanh.buffer, cellTanh.base + step * 4, ORDER);
    }
    c.intoByteBuffer(cell.buffer, c0, ORDER);
    h.intoByteBuffer(state.buffer, h0, ORDER);
    if (sequence != null) {
      h.intoByteBuffer(sequence.buffer, sequence.base + step * 4, ORDER);
    }
  }

  /** The last, partial vector of {@link #forward(int)}, its units' lanes set in {@code m}. */
  private void forward(int gate, int step, int running, int rec, int unit, VectorMask<Float> m) {
    int u = units;
    FloatVector i = sigmoid(preActivation(gate, rec, unit, m));
    FloatVector f = sigmoid(preActivation(gate + u, rec + u, unit + u, m));
    FloatVector g = tanh(preActivation(gate + 2 * u, rec + 2 * u, unit + 2 * u, m));
    FloatVector o = sigmoid(preActivation(gate + 3 * u, rec + 3 * u, unit + 3 * u, m));
    FloatVector cBefore = cell.load(running, m);
    FloatVector c = f.fma(cBefore, i.mul(g));
    FloatVector tanhC = tanh(c);
    FloatVector h = o.mul(tanhC);
    gates.store(i, gate, m);
    gates.store(f, gate + u, m);
    gates.store(g, gate + 2 * u, m);
    gates.store(o, gate + 3 * u, m);
    cellsBefore.store(cBefore, step, m);
    statesBefore.store(state.load(running, m), step, m);
    cellTanh.store(tanhC, step, m);
    cell.store(c, running, m);
    state.store(h, running, m);
    if (sequence != null) {
      sequence.store(h, step, m);
    }
  }

  @Override
  public void infer(int t) {
    int u = units;
    int whole = wholeUnits();
    for (int row = 0; row < n; row++) {
      int gate = (row * steps + t) * 4 * u;
      int step = (row * steps + t) * u;
      int running = row * u;
      int rec = row * 4 * u;
      for (int unit = 0; unit < whole; unit += SPECIES.length()) {
        infer(gate + unit, step + unit, running + unit, rec + unit, unit);
      }
      if (whole < u) {
        infer(gate + whole, step + whole, running + whole, rec + whole, whole, tail(whole));
      }
    }
  }

  /** One whole vector of {@link #infer(int)}, as {@link #forward(int, int, int, int, int)}. */
  private void infer(int gate, int step, int running, int rec, int unit) {
    activate(gate, rec, unit, false);
    activate(gate + units, rec + units, unit + units, false);
    activate(gate + 2 * units, rec + 2 * units, unit + 2 * units, true);
    activate(gate + 3 * units, rec + 3 * units, unit + 3 * units, false);
    update(gate, step, running, false);
  }

  /** The last, partial vector of {@link #infer(int)}, its units' lanes set in {@code m}. */
  private void infer(int gate, int step, int running, int rec, int unit, VectorMask<Float> m) {
    int u = units;
    FloatVector i = sigmoid(preActivation(gate, rec, unit, m));
    FloatVector f = sigmoid(preActivation(gate + u, rec + u, unit + u, m));
    FloatVector g = tanh(preActivation(gate + 2 * u, rec + 2 * u, unit + 2 * u, m));
    FloatVector o = sigmoid(preActivation(gate + 3 * u, rec + 3 * u, unit + 3 * u, m));
    FloatVector c = f.fma(cell.load(running, m), i.mul(g));
    FloatVector h = o.mul(tanh(c));
    cell.store(c, running, m);
    state.store(h, running, m);
    if (sequence != null) {
      sequence.store(h, step, m);
    }
  }

  private FloatVector preActivation(int gate, int rec, int column, VectorMask<Float> m) {
    FloatVector z = gates.load(gate, m).add(recurrent.load(rec, m));
    return bias == null ? z : z.add(bias.load(column, m));
  }

  @Override
  public void backward(int t) {
    int u = units;
    int whole = wholeUnits();
    for (int row = 0; row < n; row++) {
      int gate = (row * steps + t) * 4 * u;
      int step = (row * steps + t) * u;
      int running = row * u;
      int rec = row * 4 * u;
      for (int unit = 0; unit < whole; unit += SPECIES.length()) {
        backward(gate + unit, step + unit, running + unit, rec + unit);
      }
      if (whole < u) {
        backward(gate + whole, step + whole, running + whole, rec + whole, tail(whole));
      }
    }
  }

  /**
   * One whole vector of {@link #backward(int)}: {@code gate} to {@code rec} include the unit. The
   * parts pass the cell's gradient in {@code dCell} and the gates' in {@code recurrent}.
   */
  private void backward(int gate, int step, int running, int rec) {
    backwardCellGradient(gate, step, running);
    backwardOutputGate(gate, step, running, rec);
    backwardInputGates(gate, step, running, rec);
    backwardCarry(gate, running, rec);
  }

  /*
   * The four parts of a whole vector's backward step, each small enough that C2 inlines every
   * Vector API call in it (with the flushes below TinyGradients.FLOOR, two parts were not, and
   * their vectors were boxed: megabytes a training step). They pass values through the arrays.
   */

  /** In {@code dCell}, the cell's gradient: what came from later steps plus what h passes. */
  private void backwardCellGradient(int gate, int step, int running) {
    FloatVector o = FloatVector.fromByteBuffer(SPECIES, gates.buffer,
        gates.base + (gate + 3 * units) * 4, ORDER);
    FloatVector tanhC = FloatVector.fromByteBuffer(SPECIES, cellTanh.buffer,
        cellTanh.base + step * 4, ORDER);
    FloatVector dh = FloatVector.fromByteBuffer(SPECIES, dState.buffer,
        dState.base + running * 4, ORDER);
    if (sequence != null) {
      dh = dh.add(FloatVector.fromByteBuffer(SPECIES, sequence.buffer,
          sequence.base + step * 4, ORDER));
    }
    dh = dh.blend(0f, dh.abs().lt(TinyGradients.FLOOR));
    int c0 = dCell.base + running * 4;
    FloatVector dc = FloatVector.fromByteBuffer(SPECIES, dCell.buffer, c0, ORDER)
        .add(dh.mul(o).mul(tanhC.mul(tanhC).neg().add(1f)));
    dc.blend(0f, dc.abs().lt(TinyGradients.FLOOR)).intoByteBuffer(dCell.buffer, c0, ORDER);
  }

  /** The output gate's gradient, into {@code gates} and {@code recurrent}. */
  private void backwardOutputGate(int gate, int step, int running, int rec) {
    int at = gates.base + (gate + 3 * units) * 4;
    FloatVector o = FloatVector.fromByteBuffer(SPECIES, gates.buffer, at, ORDER);
    FloatVector tanhC = FloatVector.fromByteBuffer(SPECIES, cellTanh.buffer,
        cellTanh.base + step * 4, ORDER);
    FloatVector dh = FloatVector.fromByteBuffer(SPECIES, dState.buffer,
        dState.base + running * 4, ORDER);
    if (sequence != null) {
      dh = dh.add(FloatVector.fromByteBuffer(SPECIES, sequence.buffer,
          sequence.base + step * 4, ORDER));
    }
    dh = dh.blend(0f, dh.abs().lt(TinyGradients.FLOOR));
    FloatVector dO = dh.mul(tanhC).mul(o).mul(o.neg().add(1f));
    dO = dO.blend(0f, dO.abs().lt(TinyGradients.FLOOR));
    dO.intoByteBuffer(gates.buffer, at, ORDER);
    dO.intoByteBuffer(recurrent.buffer, recurrent.base + (rec + 3 * units) * 4, ORDER);
  }

  /** The input, forget and candidate gates' gradients from the cell's, into {@code recurrent}. */
  private void backwardInputGates(int gate, int step, int running, int rec) {
    int u = units;
    ByteBuffer b = gates.buffer;
    int at = gates.base + gate * 4;
    FloatVector i = FloatVector.fromByteBuffer(SPECIES, b, at, ORDER);
    FloatVector f = FloatVector.fromByteBuffer(SPECIES, b, at + u * 4, ORDER);
    FloatVector g = FloatVector.fromByteBuffer(SPECIES, b, at + 2 * u * 4, ORDER);
    FloatVector dc = FloatVector.fromByteBuffer(SPECIES, dCell.buffer,
        dCell.base + running * 4, ORDER);
    FloatVector cBefore = FloatVector.fromByteBuffer(SPECIES, cellsBefore.buffer,
        cellsBefore.base + step * 4, ORDER);
    FloatVector di = dc.mul(g).mul(i).mul(i.neg().add(1f));
    FloatVector df = dc.mul(cBefore).mul(f).mul(f.neg().add(1f));
    FloatVector dg = dc.mul(i).mul(g.mul(g).neg().add(1f));
    ByteBuffer r = recurrent.buffer;
    int r0 = recurrent.base + rec * 4;
    di.blend(0f, di.abs().lt(TinyGradients.FLOOR)).intoByteBuffer(r, r0, ORDER);
    df.blend(0f, df.abs().lt(TinyGradients.FLOOR)).intoByteBuffer(r, r0 + u * 4, ORDER);
    dg.blend(0f, dg.abs().lt(TinyGradients.FLOOR)).intoByteBuffer(r, r0 + 2 * u * 4, ORDER);
  }

  /** dCell for the step before; then the three gates' gradients from {@code recurrent} to gates. */
  private void backwardCarry(int gate, int running, int rec) {
    int u = units;
    ByteBuffer b = gates.buffer;
    int at = gates.base + gate * 4;
    int c0 = dCell.base + running * 4;
    FloatVector dcBefore = FloatVector.fromByteBuffer(SPECIES, dCell.buffer, c0, ORDER)
        .mul(FloatVector.fromByteBuffer(SPECIES, b, at + u * 4, ORDER));
    dcBefore.blend(0f, dcBefore.abs().lt(TinyGradients.FLOOR))
        .intoByteBuffer(dCell.buffer, c0, ORDER);
    ByteBuffer r = recurrent.buffer;
    int r0 = recurrent.base + rec * 4;
    FloatVector.fromByteBuffer(SPECIES, r, r0, ORDER).intoByteBuffer(b, at, ORDER);
    FloatVector.fromByteBuffer(SPECIES, r, r0 + u * 4, ORDER).intoByteBuffer(b, at + u * 4, ORDER);
    FloatVector.fromByteBuffer(SPECIES, r, r0 + 2 * u * 4, ORDER)
        .intoByteBuffer(b, at + 2 * u * 4, ORDER);
  }

  /** The last, partial vector of {@link #backward(int)}, its units' lanes set in {@code m}. */
  private void backward(int gate, int step, int running, int rec, VectorMask<Float> m) {
    int u = units;
    FloatVector i = gates.load(gate, m);
    FloatVector f = gates.load(gate + u, m);
    FloatVector g = gates.load(gate + 2 * u, m);
    FloatVector o = gates.load(gate + 3 * u, m);
    FloatVector tanhC = cellTanh.load(step, m);
    FloatVector dh = dState.load(running, m);
    if (sequence != null) {
      dh = dh.add(sequence.load(step, m));
    }
    dh = flushed(dh);
    FloatVector dc = flushed(dCell.load(running, m).add(dh.mul(o).mul(oneMinusSquare(tanhC))));
    FloatVector di = flushed(dc.mul(g).mul(i).mul(oneMinus(i)));
    FloatVector df = flushed(dc.mul(cellsBefore.load(step, m)).mul(f).mul(oneMinus(f)));
    FloatVector dg = flushed(dc.mul(i).mul(oneMinusSquare(g)));
    FloatVector dO = flushed(dh.mul(tanhC).mul(o).mul(oneMinus(o)));
    gates.store(di, gate, m);
    gates.store(df, gate + u, m);
    gates.store(dg, gate + 2 * u, m);
    gates.store(dO, gate + 3 * u, m);
    recurrent.store(di, rec, m);
    recurrent.store(df, rec + u, m);
    recurrent.store(dg, rec + 2 * u, m);
    recurrent.store(dO, rec + 3 * u, m);
    dCell.store(flushed(dc.mul(f)), running, m);
  }

  /** {@code x} with the lanes below {@link TinyGradients#FLOOR} in magnitude set to zero. */
  private static FloatVector flushed(FloatVector x) {
    return x.blend(0f, x.abs().lt(TinyGradients.FLOOR));
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
