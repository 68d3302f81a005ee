package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Wraps a recurrent layer ({@link LSTM}, {@link GRU}, {@link SimpleRNN}) on the same method: a
 * copy with weights of its own reads the sequence backwards, and the two outputs are merged.
 * {@code @Bidirectional @LSTM(units = 32)}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Bidirectional {

  MergeMode mergeMode() default MergeMode.CONCAT;
}
