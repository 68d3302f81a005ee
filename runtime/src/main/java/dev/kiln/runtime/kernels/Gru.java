package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.Sequences.add;
import static dev.kiln.runtime.kernels.Sequences.addOutputGradient;
import static dev.kiln.runtime.kernels.Sequences.after;
import static dev.kiln.runtime.kernels.Sequences.before;
import static dev.kiln.runtime.kernels.Sequences.columns;
import static dev.kiln.runtime.kernels.Sequences.mul;
import static dev.kiln.runtime.kernels.Sequences.stepAt;
import static dev.kiln.runtime.kernels.Sequences.sub;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BiasAdd;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.SigmoidDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.TanhDerivative;
import org.nd4j.linalg.factory.Nd4j;

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
 * run Keras' weights; this is a loop over the steps instead: one gemm and a few elementwise
 * native ops each, on preallocated time-major work arrays (see {@link Sequences}). The backward pass runs the forward pass again,
 * keeping every step, so nothing is kept between the two calls.
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

  /**
   * The work arrays of a run, time-major: {@code inputs} the input sequence; {@code preActivations}
   * the gates before their activations, which the backward pass overwrites with their gradients;
   * {@code recurrent} the recurrent products {@code h U + rb}, whose backward overwrites with
   * the gradients with respect to them; {@code gates} z, r and hh; {@code states} see
   * {@link Sequences}.
   */
  private record Work(
      INDArray inputs, INDArray preActivations, INDArray recurrent, INDArray gates, INDArray states) {

    static Work of(DataType dataType, long n, long steps, long in, long units) {
      return new Work(
          WorkArrays.get(Gru.class, "inputs", dataType, steps, n, in),
          WorkArrays.get(Gru.class, "preActivations", dataType, steps, n, 3 * units),
          WorkArrays.get(Gru.class, "recurrent", dataType, steps, n, 3 * units),
          WorkArrays.get(Gru.class, "gates", dataType, steps, n, 3 * units),
          WorkArrays.get(Gru.class, "states", dataType, steps + 1, n, units));
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
    Work work = run(x, kernel, recurrentKernel, bias, reverse);
    Sequences.writeOutput(work.states(), reverse, returnSequences, out);
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
    Work work = run(x, kernel, recurrentKernel, bias, reverse);
    long n = x.size(0);
    long steps = x.size(1);
    long units = recurrentKernel.size(0);
    DataType dataType = x.dataType();
    // The gradient with respect to the state after the step being undone, and the one before it.
    INDArray dState = WorkArrays.get(Gru.class, "dState", dataType, n, units);
    INDArray dPrevious = WorkArrays.get(Gru.class, "dPrevious", dataType, n, units);
    INDArray scratch = WorkArrays.get(Gru.class, "scratch", dataType, n, units);
    if (returnSequences) {
      dState.assign(0);
    }
    for (long k = steps - 1; k >= 0; k--) {
      long t = stepAt(k, steps, reverse);
      addOutputGradient(dOut, returnSequences, k, t, steps, dState);
      INDArray previous = before(work.states(), t, reverse);
      INDArray pre = work.preActivations().slice(t);
      INDArray gates = work.gates().slice(t);
      INDArray recurrent = work.recurrent().slice(t);
      INDArray z = columns(gates, 0, units);
      INDArray r = columns(gates, units, 2 * units);
      INDArray candidate = columns(gates, 2 * units, 3 * units);
      INDArray preZ = columns(pre, 0, units);
      INDArray preR = columns(pre, units, 2 * units);
      INDArray preCandidate = columns(pre, 2 * units, 3 * units);
      INDArray recurrentCandidate = columns(recurrent, 2 * units, 3 * units);

      // h' = z * h + (1 - z) * hh: dz = dh' * (h - hh), and through z's sigmoid.
      sub(previous, candidate, scratch);
      mul(scratch, dState, scratch);
      Nd4j.exec(new SigmoidDerivative(preZ, scratch, preZ));
      // The direct path to h, then d hh = dh' * (1 - z), through hh's tanh.
      mul(dState, z, dPrevious);
      sub(dState, dPrevious, scratch);
      Nd4j.exec(new TanhDerivative(preCandidate, scratch, preCandidate));
      // hh's pre-activation holds r * (h Uh + rh): dr = d pre-hh * (h Uh + rh), through r's sigmoid.
      mul(preCandidate, recurrentCandidate, scratch);
      Nd4j.exec(new SigmoidDerivative(preR, scratch, preR));
      // The recurrent product h U + rb is no longer needed; it becomes its gradient:
      // the same as the input side's for z and r, times r for hh.
      columns(recurrent, 0, 2 * units).assign(columns(pre, 0, 2 * units));
      mul(preCandidate, r, recurrentCandidate);
      Nd4j.gemm(recurrent, recurrentKernel, dPrevious, false, true, 1.0, 1.0);

      INDArray swap = dState;
      dState = dPrevious;
      dPrevious = swap;
    }

    INDArray inputRows = Rows.ofLastAxis(work.inputs());
    INDArray dPreRows = Rows.ofLastAxis(work.preActivations());
    INDArray dRecurrentRows = Rows.ofLastAxis(work.recurrent());
    Nd4j.gemm(inputRows, dPreRows, Scratch.orScratch(dKernel, kernel), true, false, 1.0, 0.0);
    Nd4j.gemm(
        Sequences.beforeRows(work.states(), reverse),
        dRecurrentRows,
        Scratch.orScratch(dRecurrentKernel, recurrentKernel),
        true,
        false,
        1.0,
        0.0);
    if (bias != null && dBias != null) {
      dPreRows.sum(dBias.slice(0), 0);
      dRecurrentRows.sum(dBias.slice(1), 0);
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
    long units = recurrentKernel.size(0);
    Work work = Work.of(x.dataType(), n, steps, x.size(2), units);

    // x W + b for all steps in one gemm, into the pre-activations.
    work.inputs().assign(x.permute(1, 0, 2));
    INDArray preRows = Rows.ofLastAxis(work.preActivations());
    Nd4j.gemm(Rows.ofLastAxis(work.inputs()), kernel, preRows, false, false, 1.0, 0.0);
    if (bias != null) {
      Nd4j.exec(new BiasAdd(preRows, bias.slice(0), preRows, false));
    }

    Sequences.initial(work.states(), reverse).assign(0);
    for (long k = 0; k < steps; k++) {
      long t = stepAt(k, steps, reverse);
      INDArray previous = before(work.states(), t, reverse);
      INDArray next = after(work.states(), t, reverse);
      INDArray pre = work.preActivations().slice(t);
      INDArray gates = work.gates().slice(t);
      INDArray recurrent = work.recurrent().slice(t);

      Nd4j.gemm(previous, recurrentKernel, recurrent, false, false, 1.0, 0.0);
      if (bias != null) {
        Nd4j.exec(new BiasAdd(recurrent, bias.slice(1), recurrent, false));
      }
      // z and r: sigmoid(x W + b + h U + rb).
      INDArray preZr = columns(pre, 0, 2 * units);
      add(preZr, columns(recurrent, 0, 2 * units), preZr);
      Sigmoid.forward(preZr, columns(gates, 0, 2 * units));
      // hh = tanh(x Wh + bh + r * (h Uh + rh)); r * (...) goes through hh's slot first.
      INDArray preCandidate = columns(pre, 2 * units, 3 * units);
      INDArray candidate = columns(gates, 2 * units, 3 * units);
      mul(columns(gates, units, 2 * units), columns(recurrent, 2 * units, 3 * units), candidate);
      add(preCandidate, candidate, preCandidate);
      Tanh.forward(preCandidate, candidate);
      // h' = hh + z * (h - hh).
      sub(previous, candidate, next);
      mul(next, columns(gates, 0, units), next);
      add(next, candidate, next);
    }
    return work;
  }
}
