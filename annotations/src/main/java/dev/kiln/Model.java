package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an interface as a network: each abstract method is a layer named after the method, and
 * each parameter names the layer it reads from. For {@code interface Mlp} Kiln generates {@code
 * MlpModel} in the same package.
 *
 * <pre>{@code
 * @Model(optimizer = ADAM)
 * interface Mlp {
 *   @Input(shape = 784) Tensor input();
 *   @Dense(units = 512, activation = RELU) Tensor hidden1(Tensor input);
 *   @Output(loss = CATEGORICAL_CROSSENTROPY, metrics = ACCURACY)
 *   @Dense(units = 10, activation = SOFTMAX) Tensor output(Tensor hidden1);
 * }
 * }</pre>
 *
 * <p>The optimizer and learning rate are training defaults, as Keras' {@code compile} takes them;
 * the generated model can switch optimizer at run time.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Model {

  /** The optimizer; Keras' {@code compile} defaults to RMSprop. */
  Optimizer optimizer() default Optimizer.RMSPROP;

  /**
   * The learning rate. Unset ({@code NaN}) means the optimizer's Keras default: 0.01 for SGD,
   * 0.001 for the others.
   */
  double learningRate() default Double.NaN;

  /** The generated class's simple name; empty means the interface name followed by {@code Model}. */
  String className() default "";
}
