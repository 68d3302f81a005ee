package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Keras' {@code kernel_regularizer}, {@code bias_regularizer} and {@code activity_regularizer},
 * as {@code L1L2}. The kernel and bias ones, on a layer with weights, each add {@code l1 *
 * sum(|w|) + l2 * sum(w^2)} of their array to the loss that {@code fit} minimises and reports
 * (and {@code evaluate} reports). The activity one, on any layer, adds {@code (l1 * sum(|a|) + l2
 * * sum(a^2)) / batch} of the layer's output {@code a} on each batch: summed over the batch and
 * divided by its size, as Keras does. Stands beside the layer annotation:
 *
 * <pre>{@code
 * @Regularizers(kernelL2 = 1e-4, activityL1 = 1e-5)
 * @Dense(units = 64, activation = RELU) Tensor hidden(Tensor input);
 * }</pre>
 *
 * <p>A method applying another layer again with {@code @SameWeightsAs} alone regularizes its
 * output as that layer does (in Keras the activity regularizer belongs to the layer, and acts on
 * every call of it).
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

  /** L1 factor of the layer's output, per sample of the batch; 0 for none. */
  double activityL1() default 0;

  /** L2 factor of the layer's output, per sample of the batch; 0 for none. */
  double activityL2() default 0;
}
