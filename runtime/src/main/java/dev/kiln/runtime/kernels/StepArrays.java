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
 * Their contents do not outlive a kernel call. The product runs in Java lanes for float32 and
 * small sizes ({@link FloatProducts}), else in libnd4j.
 */
final class StepArrays {

  private final INDArray state;
  private final INDArray cell;
  private final INDArray recurrent;
  private final INDArray dState;
  private final INDArray dCell;

  /** Whether the products run in Java lanes ({@link FloatProducts}), not in libnd4j. */
  private final boolean inLanes;

  /** The products in lanes, made at the first product; null until then or when not in lanes. */
  private FloatProducts lanes;

  StepArrays(Class<?> kernel, DataType dataType, long n, long units, int gates) {
    this(kernel, dataType, n, units, gates, false);
  }

  /**
   * @param javaProducts whether float32 products run in Java lanes whatever their size: a half of
   *     a batch on its own core ({@link BatchHalves})
   */
  StepArrays(Class<?> kernel, DataType dataType, long n, long units, int gates,
      boolean javaProducts) {
    this.inLanes = VectorApi.appliesTo(dataType)
        && (javaProducts || FloatProducts.suits(n, units, gates * units));
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
    if (inLanes) {
      lanes(recurrentKernel).product(state, recurrent);
    } else {
      Matmul.rows(state, recurrentKernel, recurrent, false, false);
    }
  }

  /** {@code dState = recurrent . recurrentKernel^T}: the gradient of the state before the step. */
  void stateGradientProduct(INDArray recurrentKernel) {
    if (inLanes) {
      lanes(recurrentKernel).productTransposed(recurrent, dState);
    } else {
      Matmul.rows(recurrent, recurrentKernel, dState, false, true);
    }
  }

  /** The lanes' products with {@code recurrentKernel}, which a kernel call does not change. */
  private FloatProducts lanes(INDArray recurrentKernel) {
    if (lanes == null || !lanes.isWith(recurrentKernel)) {
      lanes = new FloatProducts(recurrentKernel);
    }
    return lanes;
  }
}
