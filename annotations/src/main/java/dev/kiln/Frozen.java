package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Keeps a layer's weights as they are during training (Keras' {@code layer.trainable = False}):
 * gradients still flow through it to the layers before, but the optimizer never moves its
 * weights, and the summary counts them as non-trainable. The generated model can also freeze and
 * unfreeze layers at run time.
 *
 * <p>A frozen {@link BatchNormalization} runs in inference mode while training, as Keras runs one
 * that is not trainable: it normalises with its moving mean and variance and leaves them as they
 * are.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Frozen {}
