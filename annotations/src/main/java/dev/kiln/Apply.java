package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Applies a {@link Block}, or a whole {@link Model} used as a layer, to the tensors the method's
 * parameters name, in the order of the block's inputs. The method is one layer of the model:
 * other layers read its output (the block's first output) by its name, and another output
 * {@code o} of the block as {@code @From("method/o")}. Each application has weights of its own;
 * {@link SameWeightsAs} on an application shares those of another application of the same
 * block (Siamese towers). The block's parameter annotation, if it has one, stands next to this
 * one with the values for this application.
 *
 * <p>Inside the generated model the block's layers are named {@code method/layer}: in the
 * expanded summary, the parameters, {@code activations()} and {@code layers()} (as {@code
 * layers().method().layer()}).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Apply {

  /** The {@code @Block} or {@code @Model} interface to apply. */
  Class<?> value();
}
