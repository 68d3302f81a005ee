package dev.kiln.runtime.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.updaters.RmsPropUpdater;
import org.nd4j.linalg.factory.Nd4j;

/**
 * RMSprop with Keras' rule and defaults (rho 0.9, epsilon 1e-7): {@code a = rho a + (1 - rho)
 * g^2; p -= lr g / (sqrt(a) + eps)}.
 */
public final class RmsProp extends Updater {

  private final double rho;
  private final double epsilon;

  public RmsProp(double learningRate) {
    this(learningRate, 0.9, 1e-7);
  }

  public RmsProp(double learningRate, double rho, double epsilon) {
    super(learningRate);
    this.rho = rho;
    this.epsilon = epsilon;
  }

  @Override
  protected void apply(INDArray parameters, INDArray gradients, long iteration) {
    INDArray meanSquare = state(0);
    Nd4j.exec(
        new RmsPropUpdater(
            gradients, meanSquare, gradients, meanSquare, learningRate(), rho, epsilon));
    parameters.subi(gradients);
  }

  @Override
  protected int stateCount() {
    return 1;
  }

  @Override
  public String name() {
    return "rmsprop";
  }
}
