package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.Sequences.row;
import static dev.kiln.runtime.kernels.Sequences.stepAt;

import dev.kiln.runtime.Elements;
import dev.kiln.runtime.NdArrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BiasAdd;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keras' LSTM layer with its defaults: activation tanh, recurrent activation sigmoid, zero initial
 * state, no peepholes, no cell clipping. Over sequences {@code (n, steps, features)}:
 *
 * <pre>
 *   z = x_t . kernel + h . recurrentKernel + bias        (n, 4u), gates in the order i, f, c, o
 *   i = sigmoid(z_i)  f = sigmoid(z_f)  g = tanh(z_c)  o = sigmoid(z_o)
 *   c = f * c + i * g
 *   h = o * tanh(c)
 * </pre>
 *
 * <p>A loop over the steps on preallocated time-major work arrays (see {@link Sequences}): the
 * input projection of all steps is one gemm, then each step costs one gemm for {@code h U} and one
 * pass in Java over its cells ({@link LstmCells}).
 * The backward pass reads every step from the trace the forward pass kept in the layer's own
 * buffer, or, given none, runs the forward pass again into arrays shared by all LSTM layers; its
 * steps cost one Java pass and one gemm each, and the weight gradients and {@code dx} are one gemm
 * each over all steps. libnd4j's {@code lstmLayer_bp}, which this replaces, ran the forward pass
 * again and took ten times as long on the seed models.
 */
public final class Lstm {

  private Lstm() {}

  /**
   * An LSTM layer's parameters: views of the model's flat parameter buffer.
   *
   * @param kernel {@code (in, 4 * units)}, gates in the order i, f, c, o
   * @param recurrentKernel {@code (units, 4 * units)}
   * @param bias {@code (4 * units)}, or null for a layer without bias
   */
  public record Parameters(INDArray kernel, INDArray recurrentKernel, INDArray bias) {}

  /**
   * The work arrays of a run, time-major: {@code inputs} the input sequence; {@code gates},
   * {@code cells}, {@code cellTanh} and {@code states} see {@link LstmCells}.
   */
  private record Work(
      INDArray inputs, INDArray gates, INDArray cells, INDArray cellTanh, INDArray states) {

    /** Work arrays shared by the calls without a trace. */
    static Work shared(DataType dataType, long n, long steps, long in, long units) {
      return new Work(
          WorkArrays.get(Lstm.class, "inputs", dataType, steps, n, in),
          WorkArrays.get(Lstm.class, "gates", dataType, steps, n, 4 * units),
          WorkArrays.get(Lstm.class, "cells", dataType, steps + 1, n, units),
          WorkArrays.get(Lstm.class, "cellTanh", dataType, steps, n, units),
          WorkArrays.get(Lstm.class, "states", dataType, steps + 1, n, units));
    }

    /** Work arrays that are views of consecutive parts of a layer's own trace. */
    static Work in(INDArray trace, long n, long steps, long in, long units) {
      long needed = traceLength(n, steps, in, units);
      if (trace.length() < needed || trace.ordering() != 'c' || trace.elementWiseStride() != 1) {
        throw new IllegalArgumentException("an LSTM trace needs " + needed
            + " contiguous row-major elements, got " + trace.shapeInfoToString());
      }
      long[][] shapes = {
        {steps, n, in}, {steps, n, 4 * units}, {steps + 1, n, units}, {steps, n, units},
        {steps + 1, n, units}
      };
      INDArray[] parts = new INDArray[shapes.length];
      long offset = 0;
      for (int i = 0; i < shapes.length; i++) {
        parts[i] = NdArrays.view(trace, offset, shapes[i]);
        offset += parts[i].length();
      }
      return new Work(parts[0], parts[1], parts[2], parts[3], parts[4]);
    }

    static long traceLength(long n, long steps, long in, long units) {
      return n * (steps * (in + 6 * units) + 2 * (steps + 1) * units);
    }

    LstmCells elementwise() {
      return new LstmCells(Elements.of(gates), Elements.of(cells), Elements.of(cellTanh),
          Elements.of(states), gates.size(1), states.size(2));
    }
  }

  /**
   * @param x {@code (n, steps, in)}
   * @param kernel {@code (in, 4 * units)}
   * @param recurrentKernel {@code (units, 4 * units)}
   * @param bias {@code (4 * units)}, or {@code null}
   * @param returnSequences whether {@code out} holds the state after every step or only the last
   * @param reverse read the steps from last to first (Keras' {@code go_backwards}, for
   *     Bidirectional); with {@code returnSequences}, {@code out[:, t]} is the state after reading
   *     {@code x[:, t]}, aligned with {@code x} as Bidirectional aligns its backward layer; without,
   *     {@code out} is the state after reading {@code x[:, 0]}
   * @param out written, {@code (n, steps, units)} with {@code returnSequences}, else {@code (n, units)}
   */
  public static void forward(
      INDArray x,
      INDArray kernel,
      INDArray recurrentKernel,
      INDArray bias,
      boolean returnSequences,
      boolean reverse,
      INDArray out) {
    forward(x, kernel, recurrentKernel, bias, returnSequences, reverse, out, null);
  }

  /**
   * {@link #forward(INDArray, INDArray, INDArray, INDArray, boolean, boolean, INDArray)} that keeps
   * the run in {@code trace}, for a {@link #backward} with the same arguments and trace to read
   * instead of running the layer again.
   *
   * @param trace the layer's own, at least {@code n * (steps * (in + 8 * units) + 2 * units)}
   *     contiguous row-major elements, such as {@code (n, steps, in + 8 * units + ceil(2 * units /
   *     steps))}; or null to keep nothing
   */
  public static void forward(
      INDArray x,
      INDArray kernel,
      INDArray recurrentKernel,
      INDArray bias,
      boolean returnSequences,
      boolean reverse,
      INDArray out,
      INDArray trace) {
    Work work = work(x, recurrentKernel, trace);
    run(work, x, kernel, recurrentKernel, bias, reverse);
    Sequences.writeOutput(work.states(), reverse, returnSequences, out);
  }

  /**
   * Given {@code dOut}, the loss gradient with respect to {@code out}, writes the gradients of the
   * parameters and of the input. {@code dOut} is left as it is.
   *
   * @param dOut shaped like the forward {@code out}
   * @param dKernel written, {@code (in, 4 * units)}
   * @param dRecurrentKernel written, {@code (units, 4 * units)}
   * @param dBias written, {@code (4 * units)}; ignored when {@code bias} is {@code null}
   * @param dx written, {@code (n, steps, in)}, or {@code null} when no layer needs it
   */
  public static void backward(
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
    backward(x, kernel, recurrentKernel, bias, returnSequences, reverse, dOut, dKernel,
        dRecurrentKernel, dBias, dx, null);
  }

  /**
   * {@link #backward(INDArray, INDArray, INDArray, INDArray, boolean, boolean, INDArray, INDArray,
   * INDArray, INDArray, INDArray)} that reads the run from the {@code trace} the last forward pass
   * with the same arguments kept, and uses it up: it holds gradients afterwards. With a null
   * trace, the layer runs again first.
   */
  public static void backward(
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
      INDArray dx,
      INDArray trace) {
    Work work = work(x, recurrentKernel, trace);
    if (trace == null) {
      run(work, x, kernel, recurrentKernel, bias, reverse);
    }
    LstmCells cells = work.elementwise();
    long n = x.size(0);
    long steps = x.size(1);
    long units = recurrentKernel.size(0);
    DataType dataType = x.dataType();
    // dL/dh and dL/dc after the step being undone; the gemm of each step turns the gates'
    // gradients into dL/dh before it.
    INDArray dState = WorkArrays.get(Lstm.class, "dState", dataType, n, units);
    INDArray dCell = WorkArrays.get(Lstm.class, "dCell", dataType, n, units);
    Elements dOutSteps = null;
    if (returnSequences) {
      INDArray timeMajor = WorkArrays.get(Lstm.class, "dOut", dataType, steps, n, units);
      timeMajor.assign(dOut.permute(1, 0, 2));
      dOutSteps = Elements.of(timeMajor);
      dState.assign(0);
    } else {
      dState.assign(dOut);
    }
    dCell.assign(0);
    Elements dStateElements = Elements.of(dState);
    Elements dCellElements = Elements.of(dCell);
    for (long k = steps - 1; k >= 0; k--) {
      long t = stepAt(k, steps, reverse);
      cells.backward(t, before(t, reverse), dStateElements, dOutSteps, dCellElements);
      Nd4j.gemm(row(work.gates(), t), recurrentKernel, dState, false, true, 1.0, 0.0);
    }

    Sequences.parameterAndInputGradients(work.inputs(), work.gates(), work.states(), reverse,
        kernel, recurrentKernel, dKernel, dRecurrentKernel, bias != null ? dBias : null, dx);
  }

  private static Work work(INDArray x, INDArray recurrentKernel, INDArray trace) {
    long n = x.size(0);
    long steps = x.size(1);
    long units = recurrentKernel.size(0);
    return trace == null
        ? Work.shared(x.dataType(), n, steps, x.size(2), units)
        : Work.in(trace, n, steps, x.size(2), units);
  }

  /** Runs the layer over {@code x}, keeping every step in the work arrays. */
  private static void run(Work work, INDArray x, INDArray kernel, INDArray recurrentKernel,
      INDArray bias, boolean reverse) {
    long steps = x.size(1);
    LstmCells cells = work.elementwise();

    // x W + b for all steps in one gemm, into the gates.
    work.inputs().assign(x.permute(1, 0, 2));
    INDArray gateRows = Rows.ofLastAxis(work.gates());
    Nd4j.gemm(Rows.ofLastAxis(work.inputs()), kernel, gateRows, false, false, 1.0, 0.0);
    if (bias != null) {
      Nd4j.exec(new BiasAdd(gateRows, bias, gateRows, false));
    }

    // The zero state before the first step read (see Sequences).
    long initial = reverse ? steps : 0;
    row(work.states(), initial).assign(0);
    row(work.cells(), initial).assign(0);
    for (long k = 0; k < steps; k++) {
      long t = stepAt(k, steps, reverse);
      INDArray gates = row(work.gates(), t);
      Nd4j.gemm(row(work.states(), before(t, reverse)), recurrentKernel, gates,
          false, false, 1.0, 1.0);
      cells.forward(t, before(t, reverse), after(t, reverse));
    }
  }

  /** The row of the states before reading step {@code t} (see {@link Sequences}). */
  private static long before(long t, boolean reverse) {
    return reverse ? t + 1 : t;
  }

  /** The row of the states after reading step {@code t}. */
  private static long after(long t, boolean reverse) {
    return reverse ? t : t + 1;
  }
}
