package dev.kiln.examples;

import static dev.kiln.Activation.RELU;
import static dev.kiln.Activation.SIGMOID;
import static dev.kiln.Activation.SOFTMAX;
import static dev.kiln.Activation.TANH;
import static dev.kiln.Loss.CATEGORICAL_CROSSENTROPY;
import static dev.kiln.Loss.COSINE_SIMILARITY;
import static dev.kiln.Loss.KL_DIVERGENCE;
import static dev.kiln.Loss.LOG_COSH;
import static dev.kiln.Loss.MSE;
import static dev.kiln.Loss.POISSON;
import static dev.kiln.Metric.ACCURACY;
import static dev.kiln.Metric.AUC;
import static dev.kiln.Metric.MEAN_IOU;
import static dev.kiln.Metric.PR_AUC;

import dev.kiln.BatchNormalization;
import dev.kiln.Constraint;
import dev.kiln.CosineDecay;
import dev.kiln.Dense;
import dev.kiln.Input;
import dev.kiln.KernelConstraint;
import dev.kiln.Model;
import dev.kiln.Optimizer;
import dev.kiln.Output;
import dev.kiln.Regularizers;
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

    @Output(loss = CATEGORICAL_CROSSENTROPY, labelSmoothing = 0.1,
        metrics = {ACCURACY, AUC, PR_AUC, MEAN_IOU})
    @Dense(units = 3, activation = SOFTMAX)
    Tensor output(Tensor normalized);
  }

  /** One head per newer Keras loss, each on an activation that suits it. */
  @Model(optimizer = Optimizer.NADAM)
  interface NewerLosses {
    @Input(shape = 4)
    Tensor input();

    @Dense(units = 5, activation = TANH)
    Tensor hidden(Tensor input);

    @Output(loss = LOG_COSH)
    @Dense(units = 2)
    Tensor residual(Tensor hidden);

    /** Rates must be positive: a sigmoid keeps them in (0, 1). */
    @Output(loss = POISSON, weight = 0.5)
    @Dense(units = 3, activation = SIGMOID)
    Tensor rate(Tensor hidden);

    @Output(loss = KL_DIVERGENCE)
    @Dense(units = 3, activation = SOFTMAX)
    Tensor distribution(Tensor hidden);

    @Output(loss = COSINE_SIMILARITY, weight = 2)
    @Dense(units = 3)
    Tensor direction(Tensor hidden);
  }

  /** Kernel and bias regularizers and each kind of kernel constraint. */
  @Model(optimizer = Optimizer.SGD, learningRate = 0.5)
  interface Regularized {
    @Input(shape = 4)
    Tensor input();

    @Regularizers(kernelL1 = 0.01, kernelL2 = 0.02, biasL2 = 0.03)
    @KernelConstraint(value = Constraint.MAX_NORM, maxValue = 0.5)
    @Dense(units = 5, activation = TANH)
    Tensor hidden1(Tensor input);

    @KernelConstraint(Constraint.UNIT_NORM)
    @Dense(units = 4, activation = TANH)
    Tensor hidden2(Tensor hidden1);

    @Regularizers(kernelL2 = 0.05, biasL1 = 0.04)
    @KernelConstraint(Constraint.NON_NEG)
    @Output(loss = MSE)
    @Dense(units = 3)
    Tensor output(Tensor hidden2);
  }
}
