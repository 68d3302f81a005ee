package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.Sequences.stepAt;

import dev.kiln.runtime.Elements;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' GRU layer with its tf.keras 2.x defaults ({@code reset_after = true}, activation tanh,
 * recurrent activation sigmoid, zero initial state), over sequences {@code (n, steps, features)}:
 *
 * <pre>
 *   z  = sigmoid(x Wz + bz + h Uz + rz)
 *   r  = sigmoid(x Wr + br + h Ur + rr)
 *   hh = tanh(x Wh + bh + r * (h Uh + rh))
 *   h' = z * h + (1 - z) * hh
 * </pre>
 *
 * with the gates in the order z, r, h along the {@code 3 * units} axis of the kernels, {@code b}
 * the input bias (row 0 of {@code bias}) and {@code r} the recurrent bias (row 1). libnd4j's
 * {@code gru} op orders its gates r, u, c and has a single bias, no recurrent one, so it cannot
 * run Keras' weights; this is a loop over the steps instead, as {@link Lstm}'s: the input
 * projection of all steps is one gemm, each step one gemm on fixed arrays and one Java pass over
 * its cells ({@link GruCells}). The forward pass keeps nothing; the backward pass runs it again,
 * keeping every step, and its weight, bias and input gradients are one gemm each over all steps.
 */
public final class Gru {

  private Gru() {}

  /**
   * A GRU layer's parameters: views of the model's flat parameter buffer.
   *
   * @param kernel {@code (in, 3 * units)}, gates in the order z, r, h
   * @param recurrentKernel {@code (units, 3 * units)}
   * @param bias {@code (2, 3 * units)}: the input bias, then the recurrent bias; or null
   */
  public record Parameters(INDArray kernel, INDArray recurrentKernel, INDArray bias) {}

  /** The run the backward pass keeps, in arrays shared by all GRU layers: see {@link GruCells}. */
  private record Trace(
      INDArray gates, INDArray candidateRecurrent, INDArray statesBefore, INDArray dRecurrent) {

    static Trace of(DataType dataType, long n, long steps, long units) {
      return new Trace(
          WorkArrays.get(Gru.class, "gates", dataType, n, steps, 3 * units),
          WorkArrays.get(Gru.class, "candidateRecurrent", dataType, n, steps, units),
          WorkArrays.get(Gru.class, "statesBefore", dataType, n, steps, units),
          WorkArrays.get(Gru.class, "dRecurrent", dataType, n, steps, 3 * units));
    }
  }

  /**
   * @param x {@code (n, steps, in)}
   * @param kernel {@code (in, 3 * units)}
   * @param recurrentKernel {@code (units, 3 * units)}
   * @param bias {@code (2, 3 * units)}, or {@code null}
   * @param returnSequences whether {@code out} holds the state after every step or only the last
   * @param reverse read the steps from last to first (Keras' {@code go_backwards}, for
   *     Bidirectional); with {@code returnSequences}, {@code out[:, t]} is the state after reading
   *     {@code x[:, t]}; without, {@code out} is the state after reading {@code x[:, 0]}
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
    forward(x, null, kernel, recurrentKernel, bias, returnSequences, reverse, out);
  }

  /**
   * The forward pass over the unmasked steps only, as Keras runs a layer given a mask: over a
   * masked step h is carried unchanged and the step's output repeats the last one (Keras' default
   * {@code zero_output_for_mask=False}); without {@code returnSequences} the output is h after
   * the last unmasked step.
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
      INDArray out) {
    long n = x.size(0);
    long steps = x.size(1);
    long units = recurrentKernel.size(0);
    StepArrays step = new StepArrays(Gru.class, x.dataType(), n, units, 3);
    INDArray sequenceOut = returnSequences ? Sequences.writable(out, Gru.class, "out") : null;
    INDArray projections = WorkArrays.get(Gru.class, "gates", x.dataType(), n, steps, 3 * units);
    run(x, mask, kernel, recurrentKernel, bias, reverse, step, projections, null, sequenceOut);
    Sequences.finishOutput(out, sequenceOut, step.state());
  }

  /**
   * Given {@code dOut}, the loss gradient with respect to {@code out}, writes the gradients of the
   * parameters and of the input. {@code dOut} is left as it is.
   *
   * @param dOut shaped like the forward {@code out}
   * @param dKernel written, {@code (in, 3 * units)}
   * @param dRecurrentKernel written, {@code (units, 3 * units)}
   * @param dBias written, {@code (2, 3 * units)}; ignored when {@code bias} is {@code null}
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
    backward(x, null, kernel, recurrentKernel, bias, returnSequences, reverse, dOut, dKernel,
        dRecurrentKernel, dBias, dx);
  }

  /**
   * The backward pass of a forward pass over the unmasked steps only: a masked step passes the
   * gradient of h to the step before it unchanged, and its input and gates get none.
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
      INDArray dx) {
    long n = x.size(0);
    long steps = x.size(1);
    long units = recurrentKernel.size(0);
    DataType dataType = x.dataType();
    StepArrays step = new StepArrays(Gru.class, dataType, n, units, 3);
    Trace trace = Trace.of(dataType, n, steps, units);
    run(x, mask, kernel, recurrentKernel, bias, reverse, step, trace.gates(), trace, null);

    GruCells cells = cells(step, trace.gates(), bias, steps, mask);
    Elements candidateRecurrent = Elements.of(trace.candidateRecurrent());
    Elements statesBefore = Elements.of(trace.statesBefore());
    Elements dRecurrent = Elements.of(trace.dRecurrent());
    Elements dOutSteps = null;
    if (returnSequences) {
      dOutSteps = Elements.of(Sequences.readable(dOut, Gru.class, "dOut"));
      step.dState().assign(0);
    } else {
      step.dState().assign(dOut);
    }
    Elements dState = Elements.of(step.dState());
    Elements dDirect = Elements.of(step.dCell());
    dDirect.fill(0, dDirect.length(), 0);
    for (long k = steps - 1; k >= 0; k--) {
      cells.backward((int) stepAt(k, steps, reverse), candidateRecurrent, statesBefore, dRecurrent,
          dState, dOutSteps, dDirect);
      if (k > 0) {
        step.stateGradientProduct(recurrentKernel);
      }
    }
    Sequences.gradientsAfterLoop(x, trace.gates(), trace.statesBefore(), trace.dRecurrent(), kernel,
        dKernel, recurrentKernel, dRecurrentKernel, bias != null && dBias != null ? dBias.slice(0) : null, dx);
    if (bias != null && dBias != null) {
      ColumnSums.of(trace.dRecurrent(), dBias.slice(1));
    }
  }

  /** The cells of a run over {@code gates}, starting from the zero state. */
  private static GruCells cells(StepArrays step, INDArray gates, INDArray bias, long steps,
      INDArray mask) {
    Elements state = Elements.of(step.state());
    return new GruCells((int) gates.size(0), Math.toIntExact(steps), (int) step.state().size(1),
        Elements.of(gates), Elements.of(step.recurrent()), bias == null ? null : Elements.of(bias),
        state, mask == null ? null : Elements.of(Sequences.readable(mask, Gru.class, "mask")));
  }

  /**
   * Runs the layer over {@code x} from the zero state: the input projections into {@code gates},
   * then the steps, keeping them in {@code trace} if given and writing {@code sequenceOut} if given.
   */
  private static void run(INDArray x, INDArray mask, INDArray kernel, INDArray recurrentKernel,
      INDArray bias, boolean reverse, StepArrays step, INDArray gates, Trace trace,
      INDArray sequenceOut) {
    long steps = x.size(1);
    Sequences.project(x, kernel, gates);
    GruCells cells = cells(step, gates, bias, steps, mask);
    Elements state = Elements.of(step.state());
    state.fill(0, state.length(), 0);
    Elements candidateRecurrent = trace == null ? null : Elements.of(trace.candidateRecurrent());
    Elements statesBefore = trace == null ? null : Elements.of(trace.statesBefore());
    Elements out = sequenceOut == null ? null : Elements.of(sequenceOut);
    for (long k = 0; k < steps; k++) {
      step.recurrentProduct(recurrentKernel);
      cells.forward((int) stepAt(k, steps, reverse), candidateRecurrent, statesBefore, out);
    }
  }
}
