package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.Sequences.add;
import static dev.kiln.runtime.kernels.Sequences.after;
import static dev.kiln.runtime.kernels.Sequences.before;
import static dev.kiln.runtime.kernels.Sequences.columns;
import static dev.kiln.runtime.kernels.Sequences.mul;
import static dev.kiln.runtime.kernels.Sequences.stepAt;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BiasAdd;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.SigmoidDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.TanhDerivative;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The LSTM of {@link Lstm} as a loop over the steps in Java, like {@link Gru}: one gemm and a few
 * elementwise native ops a step, on preallocated time-major work arrays (see {@link Sequences}).
 * Same signatures and semantics as {@link Lstm}.
 */
final class LstmLoop {

  private LstmLoop() {}

  /**
   * The work arrays of a run, time-major: {@code inputs} the input sequence;
   * {@code preActivations} of the gates i, f, c, o, overwritten with their gradients by the
   * backward pass; {@code gates} after their activations; {@code cells} the cell states, laid out
   * like {@code states} (see {@link Sequences}); {@code cellTanh} tanh of the cell state after
   * each step.
   */
  private record Work(
      INDArray inputs,
      INDArray preActivations,
      INDArray gates,
      INDArray cells,
      INDArray cellTanh,
      INDArray states) {

    static Work of(DataType dataType, long n, long steps, long in, long units) {
      return new Work(
          WorkArrays.get(LstmLoop.class, "inputs", dataType, steps, n, in),
          WorkArrays.get(LstmLoop.class, "preActivations", dataType, steps, n, 4 * units),
          WorkArrays.get(LstmLoop.class, "gates", dataType, steps, n, 4 * units),
          WorkArrays.get(LstmLoop.class, "cells", dataType, steps + 1, n, units),
          WorkArrays.get(LstmLoop.class, "cellTanh", dataType, steps, n, units),
          WorkArrays.get(LstmLoop.class, "states", dataType, steps + 1, n, units));
    }
  }

  static void forward(
      INDArray x,
      INDArray kernel,
      INDArray recurrentKernel,
      INDArray bias,
      boolean returnSequences,
      boolean reverse,
      INDArray out) {
    Work work = run(x, kernel, recurrentKernel, bias, reverse);
    Sequences.writeOutput(work.states(), reverse, returnSequences, out);
  }

  static void backward(
      INDArray x,
      INDArray kernel,
      INDArray recurrentKernel,
      INDArray bias,
      boolean returnSequences,
      boolean reverse,
      INDArray dOut,
      INDArray dKernel,
      INDArray dRecurrentKernel,
      INDArray dBias,
      INDArray dx) {
    Work work = run(x, kernel, recurrentKernel, bias, reverse);
    long n = x.size(0);
    long steps = x.size(1);
    long u = recurrentKernel.size(0);
    DataType dataType = x.dataType();
    // The gradients with respect to the state and the cell state after the step being undone.
    INDArray dState = WorkArrays.get(LstmLoop.class, "dState", dataType, n, u);
    INDArray dCell = WorkArrays.get(LstmLoop.class, "dCell", dataType, n, u);
    INDArray scratch = WorkArrays.get(LstmLoop.class, "scratch", dataType, n, u);
    dState.assign(0);
    dCell.assign(0);
    for (long k = steps - 1; k >= 0; k--) {
      long t = stepAt(k, steps, reverse);
      if (returnSequences) {
        add(dState, Sequences.step(dOut, t), dState);
      } else if (k == steps - 1) {
        dState.assign(dOut);
      }
      INDArray pre = work.preActivations().slice(t);
      INDArray gates = work.gates().slice(t);
      INDArray cellTanh = work.cellTanh().slice(t);
      INDArray cell = after(work.cells(), t, reverse);
      INDArray previousCell = before(work.cells(), t, reverse);

      // h = o * tanh(c): through o's sigmoid, and into the cell state through the tanh.
      mul(dState, cellTanh, scratch);
      Nd4j.exec(new SigmoidDerivative(columns(pre, 3 * u, 4 * u), scratch, columns(pre, 3 * u, 4 * u)));
      mul(dState, columns(gates, 3 * u, 4 * u), scratch);
      Nd4j.exec(new TanhDerivative(cell, scratch, scratch));
      add(dCell, scratch, dCell);
      // c = f * c_prev + i * g: each gate through its activation.
      mul(dCell, columns(gates, 2 * u, 3 * u), scratch);
      Nd4j.exec(new SigmoidDerivative(columns(pre, 0, u), scratch, columns(pre, 0, u)));
      mul(dCell, previousCell, scratch);
      Nd4j.exec(new SigmoidDerivative(columns(pre, u, 2 * u), scratch, columns(pre, u, 2 * u)));
      mul(dCell, columns(gates, 0, u), scratch);
      Nd4j.exec(new TanhDerivative(columns(pre, 2 * u, 3 * u), scratch, columns(pre, 2 * u, 3 * u)));
      // Back to the step before: the cell state through f, the state through U.
      mul(dCell, columns(gates, u, 2 * u), dCell);
      Nd4j.gemm(pre, recurrentKernel, dState, false, true, 1.0, 0.0);
    }

    INDArray inputRows = Rows.ofLastAxis(work.inputs());
    INDArray dPreRows = Rows.ofLastAxis(work.preActivations());
    Nd4j.gemm(inputRows, dPreRows, Scratch.orScratch(dKernel, kernel), true, false, 1.0, 0.0);
    Nd4j.gemm(
        Sequences.beforeRows(work.states(), reverse),
        dPreRows,
        Scratch.orScratch(dRecurrentKernel, recurrentKernel),
        true,
        false,
        1.0,
        0.0);
    if (bias != null && dBias != null) {
      dPreRows.sum(dBias, 0);
    }
    if (dx != null) {
      // The time-major inputs are no longer needed: they take dx before it is put back in order.
      Nd4j.gemm(dPreRows, kernel, inputRows, false, true, 1.0, 0.0);
      dx.assign(work.inputs().permute(1, 0, 2));
    }
  }

  /** Runs the layer over {@code x}, keeping every step in the work arrays. */
  private static Work run(
      INDArray x, INDArray kernel, INDArray recurrentKernel, INDArray bias, boolean reverse) {
    long n = x.size(0);
    long steps = x.size(1);
    long u = recurrentKernel.size(0);
    Work work = Work.of(x.dataType(), n, steps, x.size(2), u);

    // x W + b for all steps in one gemm; each step then adds h U.
    work.inputs().assign(x.permute(1, 0, 2));
    INDArray preRows = Rows.ofLastAxis(work.preActivations());
    Nd4j.gemm(Rows.ofLastAxis(work.inputs()), kernel, preRows, false, false, 1.0, 0.0);
    if (bias != null) {
      Nd4j.exec(new BiasAdd(preRows, bias, preRows, false));
    }

    Sequences.initial(work.states(), reverse).assign(0);
    Sequences.initial(work.cells(), reverse).assign(0);
    for (long k = 0; k < steps; k++) {
      long t = stepAt(k, steps, reverse);
      INDArray pre = work.preActivations().slice(t);
      INDArray gates = work.gates().slice(t);
      INDArray cellTanh = work.cellTanh().slice(t);
      INDArray cell = after(work.cells(), t, reverse);
      Nd4j.gemm(before(work.states(), t, reverse), recurrentKernel, pre, false, false, 1.0, 1.0);
      Sigmoid.forward(columns(pre, 0, 2 * u), columns(gates, 0, 2 * u));
      Tanh.forward(columns(pre, 2 * u, 3 * u), columns(gates, 2 * u, 3 * u));
      Sigmoid.forward(columns(pre, 3 * u, 4 * u), columns(gates, 3 * u, 4 * u));
      // c = f * c_prev + i * g, with i * g going through tanh(c)'s slot first.
      mul(columns(gates, u, 2 * u), before(work.cells(), t, reverse), cell);
      mul(columns(gates, 0, u), columns(gates, 2 * u, 3 * u), cellTanh);
      add(cell, cellTanh, cell);
      // h = o * tanh(c).
      Tanh.forward(cell, cellTanh);
      mul(columns(gates, 3 * u, 4 * u), cellTanh, after(work.states(), t, reverse));
    }
    return work;
  }
}
