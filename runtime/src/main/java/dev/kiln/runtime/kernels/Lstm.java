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
    forward(x, null, kernel, recurrentKernel, bias, returnSequences, reverse, out, trace);
  }

  /**
   * The forward pass over the unmasked steps only, as Keras runs a layer given a mask: over a
   * masked step h and c are carried unchanged and the step's output repeats the last one (Keras'
   * default {@code zero_output_for_mask=False}); without {@code returnSequences} the output is h
   * after the last unmasked step.
   *
   * @param mask {@code (n, steps)}, 0 for a masked step; or null for none
   */
  public static void forward(
      INDArray x,
      INDArray mask,
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
    INDArray sequenceOut = returnSequences ? Sequences.writable(out, Lstm.class, "out") : null;
    INDArray lastState = returnSequences ? null : Sequences.writable(out, Lstm.class, "last");
    LstmTrace run = trace == null
        ? LstmTrace.projectionsOnly(x.dataType(), n, steps, units)
        : LstmTrace.in(trace, n, steps, units);
    run(run, x, mask, kernel, recurrentKernel, bias, reverse, sequenceOut, lastState, trace != null);
    if (sequenceOut != null && sequenceOut != out) {
      out.assign(sequenceOut);
    }
    if (lastState != null && lastState != out) {
      out.assign(lastState);
    }
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
    backward(x, null, kernel, recurrentKernel, bias, returnSequences, reverse, dOut, dKernel,
        dRecurrentKernel, dBias, dx, trace);
  }

  /**
   * The backward pass of a forward pass over the unmasked steps only: a masked step passes the
   * gradients of h and c to the step before it unchanged, and its input and gates get none.
   *
   * @param mask {@code (n, steps)}, as given to the forward pass; or null for none
   */
  public static void backward(
      INDArray x,
      INDArray mask,
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
    LstmTrace run;
    if (trace == null) {
      run = LstmTrace.shared(dataType, n, steps, units);
      run(run, x, mask, kernel, recurrentKernel, bias, reverse, null, null, true);
    } else {
      run = LstmTrace.in(trace, n, steps, units);
    }
    INDArray dOutRows = Sequences.readable(dOut, Lstm.class, "dOut");
    INDArray readableMask = readableMask(mask);
    boolean split = BatchHalves.split(dataType, n, steps, units, 4);
    BatchHalves.run(split, n, (from, to) -> backwardRows(run.rows(from, to),
        BatchHalves.rows(dOutRows, from, to), returnSequences,
        BatchHalves.rows(readableMask, from, to), recurrentKernel, reverse, split));
    Sequences.gradientsAfterLoop(x, run.gates(), run.statesBefore(), run.gates(), kernel, dKernel,
        recurrentKernel, dRecurrentKernel, bias != null ? dBias : null, dx);
  }

  /**
   * The backward loop over some rows of the batch, on this thread: the gates' pre-activation
   * gradients into {@code run.gates()}. {@code dOut} holds the rows' loss gradient: of the output
   * sequence with {@code returnSequences}, else of the last state.
   */
  private static void backwardRows(LstmTrace run, INDArray dOut, boolean returnSequences,
      INDArray mask, INDArray recurrentKernel, boolean reverse, boolean split) {
    long rows = run.gates().size(0);
    long steps = run.gates().size(1);
    long units = recurrentKernel.size(0);
    StepArrays step =
        new StepArrays(Lstm.class, run.gates().dataType(), rows, units, 4, split);
    // dL/dh and dL/dc after the step being undone; the gemm of each step turns the gates'
    // gradients into dL/dh before it.
    Elements dState = Elements.of(step.dState());
    if (returnSequences) {
      dState.fill(0, dState.length(), 0);
    } else {
      Elements.of(dOut).copyTo(0, dState, 0, Math.toIntExact(dState.length()));
    }
    Elements.of(step.dCell()).fill(0, step.dCell().length(), 0);
    LstmSteps cells = LstmSteps.of(step, run, null, returnSequences ? dOut : null, mask);
    for (long k = steps - 1; k >= 0; k--) {
      int t = (int) stepAt(k, steps, reverse);
      cells.backward(t);
      if (k > 0) {
        step.stateGradientProduct(recurrentKernel);
        cells.restoreCarried(t);
      }
    }
  }

  /** The passes of a run over {@code trace} from the zero state; {@code mask} readable or null. */
  private static LstmSteps startedCells(StepArrays step, LstmTrace trace, INDArray bias,
      INDArray sequenceOut, INDArray mask) {
    Elements state = Elements.of(step.state());
    Elements cell = Elements.of(step.cell());
    state.fill(0, state.length(), 0);
    cell.fill(0, cell.length(), 0);
    return LstmSteps.of(step, trace, bias, sequenceOut, mask);
  }

  private static INDArray readableMask(INDArray mask) {
    return mask == null ? null : Sequences.readable(mask, Lstm.class, "mask");
  }

  /**
   * Runs the layer over {@code x} from the zero state: the input projections into {@code
   * run.gates()}, then the steps, in halves of the batch at once where {@link BatchHalves} says.
   *
   * @param sequenceOut written with h after each step, or null
   * @param lastState written with h after the last step, or null
   * @param traced whether {@code run} is a whole trace to keep every step in, or only the
   *     projections
   */
  private static void run(LstmTrace run, INDArray x, INDArray mask, INDArray kernel,
      INDArray recurrentKernel, INDArray bias, boolean reverse, INDArray sequenceOut,
      INDArray lastState, boolean traced) {
    long n = x.size(0);
    long steps = x.size(1);
    long units = recurrentKernel.size(0);
    Sequences.project(x, kernel, run.gates());
    INDArray readableMask = readableMask(mask);
    boolean split = BatchHalves.split(x.dataType(), n, steps, units, 4);
    BatchHalves.run(split, n, (from, to) -> runRows(run.rows(from, to),
        BatchHalves.rows(readableMask, from, to), recurrentKernel, bias, reverse,
        BatchHalves.rows(sequenceOut, from, to), BatchHalves.rows(lastState, from, to), traced,
        split));
  }

  /** The steps of {@link #run} over some rows of the batch, on this thread. */
  private static void runRows(LstmTrace run, INDArray mask, INDArray recurrentKernel,
      INDArray bias, boolean reverse, INDArray sequenceOut, INDArray lastState, boolean traced,
      boolean split) {
    long rows = run.gates().size(0);
    long steps = run.gates().size(1);
    long units = recurrentKernel.size(0);
    StepArrays step =
        new StepArrays(Lstm.class, run.gates().dataType(), rows, units, 4, split);
    LstmSteps cells = startedCells(step, run, bias, sequenceOut, mask);
    for (long k = 0; k < steps; k++) {
      step.recurrentProduct(recurrentKernel);
      int t = (int) stepAt(k, steps, reverse);
      if (traced) {
        cells.forward(t);
      } else {
        cells.infer(t);
      }
    }
    if (lastState != null) {
      Elements.of(step.state()).copyTo(0, Elements.of(lastState), 0,
          Math.toIntExact(lastState.length()));
    }
  }
}
