package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Keras' {@code Softmax} layer: {@code exp(x) / sum(exp(x))} over {@code axis}. Over the last
 * axis it is the {@code SOFTMAX} activation as a layer (fused with a cross-entropy loss after
 * it); over another axis each slice along that axis sums to 1.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Softmax {

  /** The normalised axis, counting the batch axis as Keras does; {@code -1} the last. */
  int axis() default -1;
}
