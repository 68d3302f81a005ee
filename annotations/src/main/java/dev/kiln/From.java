package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the layer a parameter reads from when the parameter's own name cannot, for instance
 * when one layer reads the same tensor twice: {@code Tensor sum(Tensor a, @From("a") Tensor
 * again)}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.PARAMETER)
public @interface From {

  /** The name of the layer (method) this parameter reads from. */
  String value();
}
