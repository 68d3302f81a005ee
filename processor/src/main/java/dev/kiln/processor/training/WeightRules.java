package dev.kiln.processor.training;

import dev.kiln.Constraint;
import dev.kiln.KernelConstraint;
import dev.kiln.Regularizers;
import javax.lang.model.element.ExecutableElement;

/**
 * What {@code @Regularizers} and {@code @KernelConstraint} on a layer method ask of one of its
 * parameter arrays: Keras' regularizers act on {@code kernel} and {@code bias}, its constraint on
 * {@code kernel}.
 *
 * @param l1 the L1 factor; 0 for none
 * @param l2 the L2 factor; 0 for none
 * @param constraint the constraint enforced after each update
 * @param maxNorm {@code MAX_NORM}'s limit
 */
public record WeightRules(double l1, double l2, Constraint constraint, double maxNorm) {

  /** No regularizer, no constraint. */
  public static final WeightRules NONE = new WeightRules(0, 0, Constraint.NONE, 0);

  /** The rules for parameter {@code name} of the layer declared by {@code method}. */
  public static WeightRules of(ExecutableElement method, String name) {
    Regularizers regularizers = method.getAnnotation(Regularizers.class);
    KernelConstraint constraint = method.getAnnotation(KernelConstraint.class);
    double l1 = 0;
    double l2 = 0;
    if (regularizers != null && name.equals("kernel")) {
      l1 = regularizers.kernelL1();
      l2 = regularizers.kernelL2();
    } else if (regularizers != null && name.equals("bias")) {
      l1 = regularizers.biasL1();
      l2 = regularizers.biasL2();
    }
    boolean constrained = constraint != null && name.equals("kernel");
    return new WeightRules(l1, l2, constrained ? constraint.value() : Constraint.NONE,
        constrained ? constraint.maxValue() : 0);
  }

  /** Whether anything is asked. */
  public boolean any() {
    return l1 != 0 || l2 != 0 || constraint != Constraint.NONE;
  }
}
