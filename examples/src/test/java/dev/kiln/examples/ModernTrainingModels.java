package dev.kiln.examples;

import static dev.kiln.Activation.RELU;
import static dev.kiln.Activation.SOFTMAX;
import static dev.kiln.Loss.CATEGORICAL_CROSSENTROPY;
import static dev.kiln.Metric.ACCURACY;

import dev.kiln.BatchNormalization;
import dev.kiln.CosineDecay;
import dev.kiln.Dense;
import dev.kiln.Input;
import dev.kiln.Model;
import dev.kiln.Optimizer;
import dev.kiln.Output;
import dev.kiln.Tensor;

/** Models declaring today's training options: AdamW, a schedule, clipping, label smoothing. */
final class ModernTrainingModels {

  private ModernTrainingModels() {}

  /**
   * AdamW that leaves biases and normalization weights undecayed, a warm-up from 1e-3 to 2e-3
   * then cosine decay, per-array norm clipping, and label smoothing; batch normalization brings
   * moving statistics that no optimizer may touch.
   */
  @CosineDecay(initialLearningRate = 1e-3, warmupTarget = 2e-3, warmupSteps = 10,
      decaySteps = 100, alpha = 0.1)
  @Model(optimizer = Optimizer.ADAMW, weightDecay = 0.1, decayBiasesAndNorms = false,
      clipNorm = 0.05)
  interface Modern {
    @Input(shape = 4)
    Tensor input();

    @Dense(units = 6, activation = RELU)
    Tensor hidden(Tensor input);

    @BatchNormalization
    Tensor normalized(Tensor hidden);

    @Output(loss = CATEGORICAL_CROSSENTROPY, labelSmoothing = 0.1, metrics = ACCURACY)
    @Dense(units = 3, activation = SOFTMAX)
    Tensor output(Tensor normalized);
  }
}
