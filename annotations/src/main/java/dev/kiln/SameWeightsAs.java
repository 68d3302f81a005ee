package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Shares another layer's weights, as calling one Keras layer object on two tensors does: a
 * method {@code encodeB(Tensor imageB)} annotated with {@code SameWeightsAs("encodeA")} and
 * {@code Conv2D} applies {@code encodeA}'s kernel and bias to {@code imageB}. Both layers must be of the same kind with the
 * same weight shapes; training adds up the gradients of both uses. The summary counts the
 * weights once, on the layer that owns them.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface SameWeightsAs {

  /** The name of the layer whose weights this one uses. */
  String value();
}
