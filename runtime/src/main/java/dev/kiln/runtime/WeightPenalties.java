package dev.kiln.runtime;

import dev.kiln.Constraint;
import java.util.List;

/**
 * The parts of training that act on weights themselves rather than through the network: Keras'
 * kernel and bias regularizers ({@code l1 sum|w| + l2 sum w^2}, added to the loss and their
 * gradient {@code l1 sign(w) + 2 l2 w} to the weights' gradient) and kernel constraints,
 * enforced after each update. Java loops over the flat buffers' slices, allocation-free.
 */
final class WeightPenalties {

  private final List<ParameterSpec> parameters;
  private final long[] offsets;

  WeightPenalties(List<ParameterSpec> parameters, long[] offsets) {
    this.parameters = parameters;
    this.offsets = offsets;
  }

  /** Whether any parameter is regularized. */
  boolean any() {
    return parameters.stream().anyMatch(ParameterSpec::regularized);
  }

  /**
   * The sum of the regularizers' penalties; with {@code gradients}, also adds their derivative
   * to it (a buffer laid out as the parameters).
   */
  double penalty(Elements values, Elements gradients) {
    double total = 0;
    for (int p = 0; p < offsets.length; p++) {
      ParameterSpec parameter = parameters.get(p);
      if (!parameter.regularized()) {
        continue;
      }
      double l1 = parameter.l1();
      double l2 = parameter.l2();
      double absolute = 0;
      double squares = 0;
      for (long i = offsets[p], end = i + parameter.length(); i < end; i++) {
        double w = values.get(i);
        absolute += Math.abs(w);
        squares += w * w;
        if (gradients != null) {
          gradients.set(i, gradients.get(i) + l1 * Math.signum(w) + 2 * l2 * w);
        }
      }
      total += l1 * absolute + l2 * squares;
    }
    return total;
  }

  /** Enforces the kernel constraints, skipping the parameters {@code skip} says are frozen. */
  void constrain(Elements values, java.util.function.Predicate<ParameterSpec> skip) {
    for (int p = 0; p < offsets.length; p++) {
      ParameterSpec parameter = parameters.get(p);
      if (parameter.constraint() == Constraint.NONE || skip.test(parameter)) {
        continue;
      }
      long[] shape = parameter.shape();
      long units = shape[shape.length - 1];
      long offset = offsets[p];
      if (parameter.constraint() == Constraint.NON_NEG) {
        for (long i = offset, end = offset + parameter.length(); i < end; i++) {
          if (values.get(i) < 0) {
            values.set(i, 0.0);
          }
        }
        continue;
      }
      // row-major: unit u's incoming weights are every units-th value from offset + u
      for (long u = 0; u < units; u++) {
        double squares = 0;
        for (long i = offset + u, end = offset + parameter.length(); i < end; i += units) {
          squares += values.get(i) * values.get(i);
        }
        double norm = Math.sqrt(squares);
        double scale = parameter.constraint() == Constraint.UNIT_NORM
            ? 1 / (1e-7 + norm)
            : Math.min(norm, parameter.maxNorm()) / (1e-7 + norm);
        for (long i = offset + u, end = offset + parameter.length(); i < end; i += units) {
          values.set(i, values.get(i) * scale);
        }
      }
    }
  }
}
