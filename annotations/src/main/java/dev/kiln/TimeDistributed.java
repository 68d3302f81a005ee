package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Wraps the layer annotation next to it so that it applies to every step of a sequence with
 * the same weights: {@code @TimeDistributed @Dense(units = 10, activation = SOFTMAX)} turns
 * {@code (steps, features)} into {@code (steps, 10)}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface TimeDistributed {}
