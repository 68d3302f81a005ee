package dev.kiln.runtime.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.updaters.AdaGradUpdater;
import org.nd4j.linalg.factory.Nd4j;

/**
 * AdaGrad with Keras' rule and defaults (initial accumulator 0.1, epsilon 1e-7): {@code a +=
 * g^2; p -= lr g / (sqrt(a) + eps)}.
 */
public final class AdaGrad extends Updater {

  private final double initialAccumulator;
  private final double epsilon;

  public AdaGrad(double learningRate) {
    this(learningRate, 0.1, 1e-7);
  }

  public AdaGrad(double learningRate, double initialAccumulator, double epsilon) {
    super(learningRate);
    this.initialAccumulator = initialAccumulator;
    this.epsilon = epsilon;
  }

  @Override
  protected void apply(INDArray parameters, INDArray gradients, long iteration) {
    INDArray accumulator = state(0);
    Nd4j.exec(
        new AdaGradUpdater(gradients, accumulator, gradients, accumulator, learningRate(), epsilon));
    parameters.subi(gradients);
  }

  @Override
  protected int stateCount() {
    return 1;
  }

  @Override
  protected double initialStateValue(int index) {
    return initialAccumulator;
  }

  @Override
  public String name() {
    return "adagrad";
  }
}
