package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a layer an output of the network and says how it is trained: the loss, the metrics
 * reported during {@code fit} and {@code evaluate}, and the loss weight (Keras' {@code
 * loss_weights}). Stands next to the layer's own annotation:
 *
 * <pre>{@code
 * @Output(loss = CATEGORICAL_CROSSENTROPY, metrics = ACCURACY)
 * @Dense(units = 10, activation = SOFTMAX) Tensor output(Tensor hidden3);
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Output {

  /** The loss minimised for this output. */
  Loss loss();

  /** The metrics reported for this output. */
  Metric[] metrics() default {};

  /** The weight of this output's loss in the total loss, Keras' {@code loss_weights}. */
  double weight() default 1.0;

  /**
   * Keras' {@code from_logits}: the layer outputs raw scores (a linear activation) and the
   * cross-entropy applies the softmax or sigmoid itself, which is numerically steadier.
   */
  boolean fromLogits() default false;

  /**
   * Keras' {@code label_smoothing}, for categorical and binary cross-entropy: trains against
   * {@code y (1 - s) + s / K} ({@code K} classes, 2 for binary) instead of the one-hot {@code y},
   * so that the model is not pushed to infinite confidence. In [0, 1]; 0.1 is common.
   */
  double labelSmoothing() default 0;

  /**
   * The {@code delta} of {@link Loss#HUBER} (Keras' {@code Huber(delta=1.0)}): residuals up to it
   * are squared, larger ones count linearly. Positive; only for {@code HUBER}.
   */
  double huberDelta() default 1.0;
}
