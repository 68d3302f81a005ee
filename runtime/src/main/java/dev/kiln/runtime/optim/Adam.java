package dev.kiln.runtime.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Adam with Keras' rule and defaults (beta1 0.9, beta2 0.999, epsilon 1e-7): {@code p -= lr_t m
 * / (sqrt(v) + eps)} with {@code lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t)}.
 */
public final class Adam extends Updater {

  private final double beta1;
  private final double beta2;
  private final double epsilon;

  public Adam(double learningRate) {
    this(learningRate, 0.9, 0.999, 1e-7);
  }

  public Adam(double learningRate, double beta1, double beta2, double epsilon) {
    super(learningRate);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
  }

  @Override
  protected void apply(INDArray parameters, INDArray gradients, long iteration) {
    INDArray secondMoment = state(0);
    INDArray firstMoment = state(1);
    Nd4j.exec(
        new AdamUpdater(
            gradients,
            secondMoment,
            firstMoment,
            gradients,
            secondMoment,
            firstMoment,
            learningRate(),
            beta1,
            beta2,
            epsilon,
            (int) iteration));
    parameters.subi(gradients);
  }

  @Override
  protected int stateCount() {
    return 2;
  }

  @Override
  public String name() {
    return "adam";
  }
}
