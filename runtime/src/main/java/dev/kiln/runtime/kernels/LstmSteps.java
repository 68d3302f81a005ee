package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The element-wise part of one LSTM call's steps, forward and backward: one pass over the {@code
 * (n, units)} cells of a step rather than a dozen native op calls (one native sigmoid over a
 * step's gates took 100 to 700 microseconds on a busy two-core machine). {@link LstmLanes} runs
 * float32 arrays in Vector API lanes where {@link VectorApi} allows; {@link LstmCells} runs every
 * other case as plain Java loops in double precision.
 *
 * <p>The passes read and write the batch-major arrays of a run, {@code (n, steps, ...)} ({@link
 * LstmTrace}), so that the input sequence, the pre-activations of all steps and the input
 * gradient are each one matrix of {@code n * steps} rows for the products the steps share:
 *
 * <ul>
 *   <li>{@code gates (n, steps, 4 * units)}: before {@link #forward} or {@link #infer} the input
 *       projections {@code x_t . kernel} without bias; after {@link #forward} the gates i, f, g,
 *       o; after {@link #backward}, the gradients with respect to the pre-activations;
 *   <li>{@code cellsBefore}, {@code statesBefore (n, steps, units)}: c and h before each step;
 *   <li>{@code cellTanh (n, steps, units)}: tanh(c) after each step.
 * </ul>
 *
 * <p>The step being computed lives in {@link StepArrays}: {@code recurrent} holds {@code h .
 * recurrentKernel} forward and the step's pre-activation gradients backward, {@code state} and
 * {@code cell} the running h and c, {@code dState} and {@code dCell} their gradients.
 */
interface LstmSteps {

  /**
   * The passes over one call's arrays, in lanes or loops by data type.
   *
   * @param bias {@code (4 * units)}, or null for a layer without bias or a backward pass
   * @param sequence the output sequence {@code (n, steps, units)} forward, its gradient backward;
   *     null when the layer returns the last state only
   */
  static LstmSteps of(StepArrays step, LstmTrace trace, INDArray bias, INDArray sequence) {
    return VectorApi.appliesTo(trace.gates().dataType())
        ? new LstmLanes(step, trace, bias, sequence)
        : new LstmCells(step, trace, bias, sequence);
  }

  /**
   * Step {@code t} of a run that keeps its trace: the gates from the input projection, the bias
   * and {@code recurrent}, in the projection's place; c and h before the step into the trace;
   * then the running c and h, and h into the output sequence if any.
   */
  void forward(int t);

  /**
   * Step {@code t} of a run that keeps nothing: the running c and h from the input projection,
   * the bias and {@code recurrent}, and h into the output sequence if any.
   */
  void infer(int t);

  /**
   * Step {@code t} undone: turns its gates into the gradients with respect to their
   * pre-activations, in {@code gates} and in {@code recurrent} (for the product that gives the
   * gradient of the state before the step), and {@code dCell} from the gradient with respect to
   * the cell after the step (without what flows in through h) into the one before it. {@code
   * dState} holds the gradient with respect to h after the step from the later steps; step
   * {@code t} of the output sequence's gradient, if any, adds to it.
   */
  void backward(int t);
}
