package dev.kiln.runtime.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.factory.Nd4j;

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
    if (momentum != 0) {
      INDArray velocity = state(0);
      velocity.muli(momentum).subi(gradients);
      if (nesterov) {
        // applied update lr g - m v, so that p += m v - lr g
        Nd4j.exec(new Axpy(velocity, gradients, gradients, -momentum));
      } else {
        // applied update -v, so that p += v
        velocity.mul(-1.0, gradients);
      }
    }
    parameters.subi(gradients);
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
