package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.Sequences.addOutputGradient;
import static dev.kiln.runtime.kernels.Sequences.after;
import static dev.kiln.runtime.kernels.Sequences.before;
import static dev.kiln.runtime.kernels.Sequences.stepAt;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BiasAdd;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.TanhDerivative;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keras' SimpleRNN layer with activation tanh and a zero initial state, over sequences
 * {@code (n, steps, features)}: {@code h' = tanh(x W + h U + b)}. A loop over the steps, one gemm
 * and one tanh each, on preallocated time-major work arrays (see {@link Sequences}); the input
 * projection, the weight gradients and dx are single gemms over all steps. The backward pass runs
 * the forward pass again, so nothing is kept between the two calls.
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
   * The work arrays of a run, time-major: {@code inputs} the input sequence, {@code preActivations}
   * {@code x W + h U + b} of every step (overwritten with its gradient by the backward pass), and
   * {@code states} as {@link Sequences} describes.
   */
  private record Work(INDArray inputs, INDArray preActivations, INDArray states) {

    static Work of(DataType dataType, long n, long steps, long in, long units) {
      return new Work(
          WorkArrays.get(SimpleRnn.class, "inputs", dataType, steps, n, in),
          WorkArrays.get(SimpleRnn.class, "preActivations", dataType, steps, n, units),
          WorkArrays.get(SimpleRnn.class, "states", dataType, steps + 1, n, units));
    }
  }

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
    Work work = run(x, kernel, recurrentKernel, bias, reverse);
    Sequences.writeOutput(work.states(), reverse, returnSequences, out);
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
    Work work = run(x, kernel, recurrentKernel, bias, reverse);
    long n = x.size(0);
    long steps = x.size(1);
    long units = recurrentKernel.size(0);
    // The gradient with respect to the state after the step being undone.
    INDArray dState = WorkArrays.get(SimpleRnn.class, "dState", x.dataType(), n, units);
    if (returnSequences) {
      dState.assign(0);
    }
    for (long k = steps - 1; k >= 0; k--) {
      long t = stepAt(k, steps, reverse);
      addOutputGradient(dOut, returnSequences, k, t, steps, dState);
      // Through the tanh: the pre-activation becomes its gradient, which reaches the state
      // before the step through U.
      INDArray dPre = work.preActivations().slice(t);
      Nd4j.exec(new TanhDerivative(dPre, dState, dPre));
      Nd4j.gemm(dPre, recurrentKernel, dState, false, true, 1.0, 0.0);
    }

    Sequences.parameterAndInputGradients(work.inputs(), work.preActivations(), work.states(),
        reverse, kernel, recurrentKernel, dKernel, dRecurrentKernel, bias != null ? dBias : null,
        dx);
  }

  /** Runs the layer over {@code x}, keeping every step in the work arrays. */
  private static Work run(
      INDArray x, INDArray kernel, INDArray recurrentKernel, INDArray bias, boolean reverse) {
    long n = x.size(0);
    long steps = x.size(1);
    Work work = Work.of(x.dataType(), n, steps, x.size(2), recurrentKernel.size(0));

    // x W + b for all steps in one gemm; each step then adds h U.
    work.inputs().assign(x.permute(1, 0, 2));
    INDArray preRows = Rows.ofLastAxis(work.preActivations());
    Nd4j.gemm(Rows.ofLastAxis(work.inputs()), kernel, preRows, false, false, 1.0, 0.0);
    if (bias != null) {
      Nd4j.exec(new BiasAdd(preRows, bias, preRows, false));
    }

    Sequences.initial(work.states(), reverse).assign(0);
    for (long k = 0; k < steps; k++) {
      long t = stepAt(k, steps, reverse);
      INDArray pre = work.preActivations().slice(t);
      Nd4j.gemm(before(work.states(), t, reverse), recurrentKernel, pre, false, false, 1.0, 1.0);
      Tanh.forward(pre, after(work.states(), t, reverse));
    }
    return work;
  }
}
