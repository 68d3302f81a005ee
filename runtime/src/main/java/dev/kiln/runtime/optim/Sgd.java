package dev.kiln.runtime.optim;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Stochastic gradient descent, Keras' {@code SGD}: {@code p -= lr * g}; with momentum {@code m},
 * {@code v = m v - lr g; p += v} (Nesterov: {@code p += m v - lr g}).
 */
public final class Sgd extends Updater {

  private final double momentum;
  private final boolean nesterov;

  public Sgd(double learningRate) {
    this(learningRate, 0.0, false);
  }

  public Sgd(double learningRate, double momentum, boolean nesterov) {
    super(learningRate);
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
    }
    this.momentum = momentum;
    this.nesterov = nesterov;
  }

  @Override
  protected void apply(INDArray parameters, INDArray gradients, long iteration) {
    gradients.muli(learningRate());
    if (momentum == 0) {
      parameters.subi(gradients);
      return;
    }
    INDArray velocity = state(0);
    velocity.muli(momentum).subi(gradients);
    if (nesterov) {
      parameters.subi(gradients);
      parameters.addi(velocity.mul(momentum, gradients));
    } else {
      parameters.addi(velocity);
    }
  }

  @Override
  protected int stateCount() {
    return momentum == 0 ? 0 : 1;
  }

  @Override
  public String name() {
    return "sgd";
  }
}
