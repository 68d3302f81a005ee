package dev.kiln.processor.parse;

import dev.kiln.Loss;
import dev.kiln.Metric;
import java.util.List;

/**
 * An {@code @Output}: how an output layer is trained.
 *
 * @param loss the loss
 * @param metrics the metrics reported
 * @param weight the loss weight
 * @param fromLogits whether the output holds raw scores the loss turns into probabilities
 * @param labelSmoothing Keras' label smoothing of a cross-entropy's targets; 0 for none
 * @param huberDelta the {@code delta} of a Huber loss
 * @param attributes the annotation, for diagnostics
 */
public record OutputDecl(
    Loss loss, List<Metric> metrics, double weight, boolean fromLogits, double labelSmoothing,
    double huberDelta, Attributes attributes) {}
