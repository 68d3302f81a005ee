package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * An input of the network, Keras' {@code Input(shape=...)}. The method takes no parameters.
 *
 * <p>The shape leaves out the batch axis and is channels last: {@code shape = 784} for a flat
 * vector, {@code shape = {28, 28, 1}} for a grey image. {@code -1} marks an axis of variable
 * length (Keras' {@code None}) where the layers reading it allow one.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Input {

  /** The shape of one sample, without the batch axis. */
  int[] shape();

  /** The element type the input holds. */
  DType dtype() default DType.FLOAT32;
}
