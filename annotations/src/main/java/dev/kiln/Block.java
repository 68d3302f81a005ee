package dev.kiln;

import java.lang.annotation.Annotation;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A sub-network written once and applied many times, as a Keras user writes a function of
 * tensors or a small model and calls it where needed. Its methods are layers, as in a
 * {@link Model}; its {@link Input}s may leave sizes open ({@code -1}), fixing only the rank,
 * and each application takes them from the tensors it is applied to. Its outputs are the layers
 * no other layer of the block reads, in declaration order; the first is the application's own
 * tensor.
 *
 * <p>The numbers that differ between applications are the block's parameters: an annotation
 * type of the user's, named here, whose elements {@link Bind} puts into the block's layers and
 * whose values each application gives next to {@link Apply}:
 *
 * <pre>{@code
 * @interface Stage { int filters(); int stride() default 1; }
 *
 * @Block(parameters = Stage.class)
 * interface ConvBlock {
 *   @Input(shape = {-1, -1, -1}) Tensor x();
 *   @Conv2D(filters = 0, kernelSize = 3, padding = SAME, activation = RELU)
 *   @Bind(filters = "filters", strides = "stride")
 *   Tensor conv(Tensor x);
 * }
 *
 * @Model interface Net {
 *   @Input(shape = {32, 32, 3}) Tensor image();
 *   @Apply(ConvBlock.class) @Stage(filters = 64, stride = 2) Tensor stage1(Tensor image);
 *   ...
 * }
 * }</pre>
 *
 * <p>A block applied inside another block with the same parameter type, and no parameter
 * annotation of its own, takes the values of the application it is in.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Block {

  /** The annotation type carrying the block's parameters; {@link NoParameters} for none. */
  Class<? extends Annotation> parameters() default NoParameters.class;

  /** The parameters of a block that has none. */
  @Documented
  @Retention(RetentionPolicy.CLASS)
  @Target(ElementType.METHOD)
  @interface NoParameters {}
}
