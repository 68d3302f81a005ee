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
 * <p>The optimizer, its learning rate and options are training defaults, as Keras' {@code
 * compile} takes them; the generated model can switch optimizer at run time. A learning-rate
 * schedule stands beside {@code @Model}: {@link ExponentialDecay}, {@link PiecewiseConstantDecay},
 * {@link CosineDecay} or {@link PolynomialDecay}, in place of {@code learningRate}.
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

  /** SGD's momentum, in [0, 1); Keras' {@code SGD(momentum=...)}. */
  double momentum() default 0;

  /** Whether SGD's momentum is Nesterov's; Keras' {@code SGD(nesterov=True)}. */
  boolean nesterov() default false;

  /**
   * Keras' {@code weight_decay}, decoupled from the gradient: before each update {@code p -= lr *
   * weightDecay * p}. Unset ({@code NaN}) means the optimizer's default: 0.004 for ADAMW, none for
   * the others.
   */
  double weightDecay() default Double.NaN;

  /**
   * Whether weight decay also shrinks biases and normalization weights (one-dimensional
   * parameters), as Keras does by default; {@code false} leaves them out, as AdamW is commonly
   * used.
   */
  boolean decayBiasesAndNorms() default true;

  /** Keras' {@code clipnorm}: each parameter array's gradient scaled down to this norm. */
  double clipNorm() default Double.NaN;

  /** Keras' {@code global_clipnorm}: all gradients scaled down together to this joint norm. */
  double globalClipNorm() default Double.NaN;

  /** Keras' {@code clipvalue}: each gradient value clamped to {@code [-clipValue, clipValue]}. */
  double clipValue() default Double.NaN;
}
