package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Inside a {@link Block}: takes attributes of the layer annotation next to it from the block's
 * parameters, given at each application. Each element names the parameter (an element of the
 * block's parameter annotation type) whose value replaces the layer attribute of the same name
 * as this element: {@code @Bind(filters = "filters", strides = "stride")}. The value written in
 * the layer annotation itself is a placeholder. The parameter's type must be the attribute's
 * type ({@code int} may fill an {@code int[]} attribute, as a single value would).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Bind {
  String units() default "";
  String filters() default "";
  String kernelSize() default "";
  String strides() default "";
  String poolSize() default "";
  String dilationRate() default "";
  String padding() default "";
  String activation() default "";
  String rate() default "";
  String size() default "";
  String cropping() default "";
  String axis() default "";
  String epsilon() default "";
  String momentum() default "";
  String returnSequences() default "";
  String useBias() default "";
  String targetShape() default "";
  String inputDim() default "";
  String outputDim() default "";
  String depthMultiplier() default "";
  String numHeads() default "";
  String keyDim() default "";
  String valueDim() default "";
  String dropout() default "";
  String outputShape() default "";
  String sequenceLength() default "";
}
