package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.Sequences.stepAt;

import dev.kiln.runtime.Elements;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

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
 * <p>The input projection of all steps is one gemm over the {@code n * steps} rows of {@code x};
 * then each step costs one gemm for {@code h . recurrentKernel}, on the same per-thread arrays
 * every step, and one Java pass over its cells that adds the bias and applies the gates ({@link
 * LstmSteps}, in Vector API lanes for float32). A forward pass given a trace keeps every step in
 * it for the backward pass; without one it keeps only the running state. The backward pass
 * costs one Java pass and one gemm a step; the weight, bias and input gradients are one gemm each
 * over all steps. libnd4j's {@code lstmLayer_bp}, which this replaces, ran the forward pass again
 * and took ten times as long on the seed models.
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

  /** The elements a trace of {@code n} sequences needs: {@code 7 * units} a step. */
  public static long traceLength(long n, long steps, long units) {
    return LstmTrace.length(n, steps, units);
  }

  /**
   * The forward pass for inference: keeps no trace.
   *
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
   * @param trace the layer's own, at least {@link #traceLength} contiguous row-major elements, such
   *     as {@code (n, steps, 7 * units)}; or null to keep nothing, as for inference
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
    long n = x.size(0);
    long steps = x.size(1);
    long units = recurrentKernel.size(0);
    StepArrays step = new StepArrays(Lstm.class, x.dataType(), n, units, 4);
    INDArray sequenceOut = returnSequences ? Sequences.writable(out, Lstm.class, "out") : null;
    if (trace == null) {
      LstmTrace projections = LstmTrace.projectionsOnly(x.dataType(), n, steps, units);
      Sequences.project(x, kernel, projections.gates());
      LstmSteps cells = startedCells(step, projections, bias, sequenceOut);
      for (long k = 0; k < steps; k++) {
        step.recurrentProduct(recurrentKernel);
        cells.infer((int) stepAt(k, steps, reverse));
      }
    } else {
      run(LstmTrace.in(trace, n, steps, units), step, x, kernel, recurrentKernel, bias, reverse,
          sequenceOut);
    }
    Sequences.finishOutput(out, sequenceOut, step.state());
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
    long n = x.size(0);
    long steps = x.size(1);
    long units = recurrentKernel.size(0);
    DataType dataType = x.dataType();
    StepArrays step = new StepArrays(Lstm.class, dataType, n, units, 4);
    LstmTrace run;
    if (trace == null) {
      run = LstmTrace.shared(dataType, n, steps, units);
      run(run, step, x, kernel, recurrentKernel, bias, reverse, null);
    } else {
      run = LstmTrace.in(trace, n, steps, units);
    }
    // dL/dh and dL/dc after the step being undone; the gemm of each step turns the gates'
    // gradients into dL/dh before it.
    INDArray dOutSteps = null;
    if (returnSequences) {
      dOutSteps = Sequences.readable(dOut, Lstm.class, "dOut");
      step.dState().assign(0);
    } else {
      step.dState().assign(dOut);
    }
    Elements.of(step.dCell()).fill(0, step.dCell().length(), 0);
    LstmSteps cells = LstmSteps.of(step, run, null, dOutSteps);
    for (long k = steps - 1; k >= 0; k--) {
      cells.backward((int) stepAt(k, steps, reverse));
      if (k > 0) {
        step.stateGradientProduct(recurrentKernel);
      }
    }
    Sequences.gradientsAfterLoop(x, run.gates(), run.statesBefore(), run.gates(), kernel, dKernel,
        recurrentKernel, dRecurrentKernel, bias != null ? dBias : null, dx);
  }

  /** The passes of a run over {@code trace}, starting from the zero state. */
  private static LstmSteps startedCells(StepArrays step, LstmTrace trace, INDArray bias,
      INDArray sequenceOut) {
    Elements state = Elements.of(step.state());
    Elements cell = Elements.of(step.cell());
    state.fill(0, state.length(), 0);
    cell.fill(0, cell.length(), 0);
    return LstmSteps.of(step, trace, bias, sequenceOut);
  }

  /** Runs the layer over {@code x}, keeping every step in {@code trace}. */
  private static void run(LstmTrace trace, StepArrays step, INDArray x, INDArray kernel,
      INDArray recurrentKernel, INDArray bias, boolean reverse, INDArray sequenceOut) {
    long steps = x.size(1);
    Sequences.project(x, kernel, trace.gates());
    LstmSteps cells = startedCells(step, trace, bias, sequenceOut);
    for (long k = 0; k < steps; k++) {
      step.recurrentProduct(recurrentKernel);
      cells.forward((int) stepAt(k, steps, reverse));
    }
  }
}
