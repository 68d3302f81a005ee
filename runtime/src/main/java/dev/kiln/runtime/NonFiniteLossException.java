package dev.kiln.runtime;

/**
 * A batch's loss came out NaN or infinite; the step stopped before the parameters changed.
 * {@link #loss()} is the value, so {@code fit} can show it to callbacks such as TerminateOnNaN.
 */
public final class NonFiniteLossException extends ArithmeticException {

  private final double loss;

  NonFiniteLossException(double loss) {
    super("the loss of this batch is " + loss + "; the parameters were not updated. Lower the"
        + " learning rate, or check the data and targets for values the loss cannot take");
    this.loss = loss;
  }

  public double loss() {
    return loss;
  }
}
