package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.Sequences.stepAt;

import dev.kiln.runtime.Elements;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' SimpleRNN layer with activation tanh and a zero initial state, over sequences
 * {@code (n, steps, features)}: {@code h' = tanh(x W + h U + b)}. A loop over the steps as {@link
 * Lstm}'s: the input projection of all steps is one gemm over the batch-major rows of {@code x};
 * each step one gemm on fixed arrays ({@link StepArrays}) and one Java pass that adds the bias and
 * applies tanh; the weight, bias and input gradients are one gemm each over all steps. The forward
 * pass keeps nothing; the backward pass runs it again, keeping every step.
 *
 * <p>The run's arrays, batch-major {@code (n, steps, units)}: {@code outputs}, the input
 * projections on entry, h after each step after the forward pass, the pre-activation gradients
 * after the backward pass; {@code statesBefore}, h before each step.
 */
public final class SimpleRnn {

  private SimpleRnn() {}

  /**
   * A SimpleRNN layer's parameters: views of the model's flat parameter buffer.
   *
   * @param kernel {@code (in, units)}
   * @param recurrentKernel {@code (units, units)}
   * @param bias {@code (units)}, or null for a layer without bias
   */
  public record Parameters(INDArray kernel, INDArray recurrentKernel, INDArray bias) {}

  /**
   * @param x {@code (n, steps, in)}
   * @param kernel {@code (in, units)}
   * @param recurrentKernel {@code (units, units)}
   * @param bias {@code (units)}, or {@code null}
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
    StepArrays step = new StepArrays(SimpleRnn.class, x.dataType(), n, units, 1);
    INDArray outputs = WorkArrays.get(SimpleRnn.class, "outputs", x.dataType(), n, steps, units);
    run(x, masks(mask), kernel, recurrentKernel, bias, reverse, step, outputs, null);
    Sequences.finishOutput(out, returnSequences ? outputs : null, step.state());
  }

  /**
   * Given {@code dOut}, the loss gradient with respect to {@code out}, writes the gradients of the
   * parameters and of the input. {@code dOut} is left as it is.
   *
   * @param dOut shaped like the forward {@code out}
   * @param dKernel written, {@code (in, units)}
   * @param dRecurrentKernel written, {@code (units, units)}
   * @param dBias written, {@code (units)}; ignored when {@code bias} is {@code null}
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
   * gradient of h to the step before it unchanged, and its input gets none.
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
    int units = Math.toIntExact(recurrentKernel.size(0));
    DataType dataType = x.dataType();
    StepArrays step = new StepArrays(SimpleRnn.class, dataType, n, units, 1);
    INDArray outputs = WorkArrays.get(SimpleRnn.class, "outputs", dataType, n, steps, units);
    INDArray statesBefore = WorkArrays.get(SimpleRnn.class, "statesBefore", dataType, n, steps, units);
    Elements masks = masks(mask);
    run(x, masks, kernel, recurrentKernel, bias, reverse, step, outputs, statesBefore);
    Elements carried = masks == null ? null
        : Elements.of(WorkArrays.get(SimpleRnn.class, "carried", dataType, n, units));

    // Through the tanh, step by step: each output becomes its pre-activation's gradient, which
    // reaches the state before the step through U.
    Elements dPre = Elements.of(outputs);
    Elements dPreStep = Elements.of(step.recurrent());
    Elements dOutSteps = null;
    if (returnSequences) {
      dOutSteps = Elements.of(Sequences.readable(dOut, SimpleRnn.class, "dOut"));
      step.dState().assign(0);
    } else {
      step.dState().assign(dOut);
    }
    Elements dState = Elements.of(step.dState());
    // Float32 gradients below TinyGradients.FLOOR are written as zero.
    double floor = TinyGradients.floorOf(dPre);
    for (long k = steps - 1; k >= 0; k--) {
      int t = (int) stepAt(k, steps, reverse);
      for (int row = 0; row < n; row++) {
        int at = (int) ((row * steps + t) * units);
        if (skips(masks, row, steps, t)) {
          // h passes over the step: its gradient reaches h before it, and the step gets none.
          for (int unit = 0; unit < units; unit++) {
            carried.set(row * units + unit, dState.get(row * units + unit)
                + (dOutSteps == null ? 0 : dOutSteps.get(at + unit)));
          }
          dPre.fill(at, units, 0);
          dPreStep.fill(row * units, units, 0);
          continue;
        }
        for (int unit = 0; unit < units; unit++) {
          double h = dPre.get(at + unit);
          double dh = dState.get(row * units + unit) + (dOutSteps == null ? 0 : dOutSteps.get(at + unit));
          double gradient = TinyGradients.flushed(dh * (1 - h * h), floor);
          dPre.set(at + unit, gradient);
          dPreStep.set(row * units + unit, gradient);
        }
      }
      if (k > 0) {
        step.stateGradientProduct(recurrentKernel);
        for (int row = 0; carried != null && row < n; row++) {
          if (skips(masks, row, steps, t)) {
            carried.copyTo(row * units, dState, row * units, units);
          }
        }
      }
    }
    Sequences.gradientsAfterLoop(x, outputs, statesBefore, outputs, kernel, dKernel, recurrentKernel,
        dRecurrentKernel, bias != null ? dBias : null, dx);
  }

  /**
   * Runs the layer over {@code x} from the zero state: h after each step into {@code outputs}, and
   * h before each step into {@code statesBefore} if given.
   */
  private static void run(INDArray x, Elements masks, INDArray kernel, INDArray recurrentKernel,
      INDArray bias, boolean reverse, StepArrays step, INDArray outputs, INDArray statesBefore) {
    long n = x.size(0);
    long steps = x.size(1);
    int units = Math.toIntExact(recurrentKernel.size(0));
    Sequences.project(x, kernel, outputs);
    Elements state = Elements.of(step.state());
    state.fill(0, state.length(), 0);
    Elements recurrent = Elements.of(step.recurrent());
    Elements out = Elements.of(outputs);
    Elements biases = bias == null ? null : Elements.of(bias);
    Elements before = statesBefore == null ? null : Elements.of(statesBefore);
    for (long k = 0; k < steps; k++) {
      step.recurrentProduct(recurrentKernel);
      int t = (int) stepAt(k, steps, reverse);
      for (int row = 0; row < n; row++) {
        int at = (int) ((row * steps + t) * units);
        if (skips(masks, row, steps, t)) {
          // Keras carries h over a masked step, and the step's output repeats it.
          state.copyTo(row * units, out, at, units);
          if (before != null) {
            state.copyTo(row * units, before, at, units);
          }
          continue;
        }
        for (int unit = 0; unit < units; unit++) {
          int running = row * units + unit;
          double pre = out.get(at + unit) + recurrent.get(running)
              + (biases == null ? 0 : biases.get(unit));
          double h = LstmCells.tanh(pre);
          if (before != null) {
            before.set(at + unit, state.get(running));
          }
          out.set(at + unit, h);
          state.set(running, h);
        }
      }
    }
  }

  private static Elements masks(INDArray mask) {
    return mask == null ? null : Elements.of(Sequences.readable(mask, SimpleRnn.class, "mask"));
  }

  /** Whether sample {@code row} skips step {@code t}: its mask is 0 there. */
  private static boolean skips(Elements masks, int row, long steps, int t) {
    return masks != null && masks.get(row * steps + t) == 0;
  }
}
