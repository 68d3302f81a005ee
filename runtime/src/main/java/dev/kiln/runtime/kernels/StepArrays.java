package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The arrays a recurrent layer's step works in, fixed per thread, kernel and shape so that the
 * step's product runs on the same arrays every step and every call: {@link Matmul} then reuses one
 * native context instead of building an op, its context and a few views each step (about 15 KB
 * of Java heap and tens of microseconds a step before).
 *
 * <ul>
 *   <li>{@code state}, {@code cell} {@code (n, units)}: the running h (the product's input) and c;
 *   <li>{@code recurrent} {@code (n, gates * units)}: {@code h . recurrentKernel} forward, the
 *       step's pre-activation gradients backward;
 *   <li>{@code dState}, {@code dCell} {@code (n, units)}: the gradients of h and c.
 * </ul>
 *
 * Their contents do not outlive a kernel call.
 */
final class StepArrays {

  private final INDArray state;
  private final INDArray cell;
  private final INDArray recurrent;
  private final INDArray dState;
  private final INDArray dCell;

  StepArrays(Class<?> kernel, DataType dataType, long n, long units, int gates) {
    this.state = WorkArrays.get(kernel, "state", dataType, n, units);
    this.cell = WorkArrays.get(kernel, "cell", dataType, n, units);
    this.recurrent = WorkArrays.get(kernel, "recurrent", dataType, n, gates * units);
    this.dState = WorkArrays.get(kernel, "dState", dataType, n, units);
    this.dCell = WorkArrays.get(kernel, "dCell", dataType, n, units);
  }

  INDArray state() {
    return state;
  }

  INDArray cell() {
    return cell;
  }

  INDArray recurrent() {
    return recurrent;
  }

  INDArray dState() {
    return dState;
  }

  INDArray dCell() {
    return dCell;
  }

  /** {@code recurrent = state . recurrentKernel}. */
  void recurrentProduct(INDArray recurrentKernel) {
    Matmul.rows(state, recurrentKernel, recurrent, false, false);
  }

  /** {@code dState = recurrent . recurrentKernel^T}: the gradient of the state before the step. */
  void stateGradientProduct(INDArray recurrentKernel) {
    Matmul.rows(recurrent, recurrentKernel, dState, false, true);
  }
}
