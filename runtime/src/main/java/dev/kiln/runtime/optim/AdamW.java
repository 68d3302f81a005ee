package dev.kiln.runtime.optim;

/**
 * Keras' {@code AdamW} (Loshchilov and Hutter, "Decoupled Weight Decay Regularization"): Adam's
 * update after the decay {@code p -= lr * weightDecay * p}, with Keras' default weight decay
 * 0.004. The decay leaves untrained parameters alone, and biases and normalization weights too
 * when {@code decayBiasesAndNorms} is false.
 */
public final class AdamW extends Adam {

  /** Keras' default weight decay of AdamW. */
  public static final double DEFAULT_WEIGHT_DECAY = 0.004;

  public AdamW(double learningRate) {
    this(learningRate, DEFAULT_WEIGHT_DECAY, true);
  }

  public AdamW(double learningRate, double weightDecay, boolean decayBiasesAndNorms) {
    this(learningRate, weightDecay, decayBiasesAndNorms, DEFAULT_BETA1, DEFAULT_BETA2,
        DEFAULT_EPSILON);
  }

  public AdamW(
      double learningRate, double weightDecay, boolean decayBiasesAndNorms, double beta1,
      double beta2, double epsilon) {
    super(learningRate, beta1, beta2, epsilon);
    setWeightDecay(weightDecay, decayBiasesAndNorms);
  }

  @Override
  public String name() {
    return "adamw";
  }
}
