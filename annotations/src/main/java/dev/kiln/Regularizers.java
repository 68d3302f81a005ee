package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Keras' {@code kernel_regularizer} and {@code bias_regularizer} on a layer with weights, as
 * {@code L1L2}: each adds {@code l1 * sum(|w|) + l2 * sum(w^2)} of its array to the loss that
 * {@code fit} minimises and reports (and {@code evaluate} reports). Stands beside the layer
 * annotation:
 *
 * <pre>{@code
 * @Regularizers(kernelL2 = 1e-4)
 * @Dense(units = 64, activation = RELU) Tensor hidden(Tensor input);
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Regularizers {

  /** L1 factor of the kernel, Keras' {@code L1(l1)}; 0 for none. */
  double kernelL1() default 0;

  /** L2 factor of the kernel, Keras' {@code L2(l2)} (whose default is 0.01); 0 for none. */
  double kernelL2() default 0;

  /** L1 factor of the bias; 0 for none. */
  double biasL1() default 0;

  /** L2 factor of the bias; 0 for none. */
  double biasL2() default 0;
}
