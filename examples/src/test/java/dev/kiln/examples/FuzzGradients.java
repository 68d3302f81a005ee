package dev.kiln.examples;

import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.ParameterSpec;
import dev.kiln.runtime.testing.FiniteDifferences;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import java.util.stream.LongStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The fuzz's gradient check of one model: sampled entries of every trainable, unfrozen parameter
 * tensor against float64 central finite differences of its loss, telling real disagreements
 * from kinks of the loss and from its rounding.
 */
final class FuzzGradients {

  /** Entries checked per parameter tensor with a non-zero gradient. */
  private static final int SAMPLES = 3;

  /**
   * Entries checked per tensor whose gradient is zero everywhere: the training-step check trusts
   * such a tensor not to affect the loss, so that is checked more widely.
   */
  private static final int ZERO_SAMPLES = 5;

  private final KilnModel model;
  private final SplittableRandom random;
  private final FuzzTally tally;
  /** The model's loss on the fixed batch, with the same dropout masks every time. */
  private final DoubleSupplier loss;

  FuzzGradients(KilnModel model, SplittableRandom random, FuzzTally tally, DoubleSupplier loss) {
    this.model = model;
    this.random = random;
    this.tally = tally;
    this.loss = loss;
  }

  /**
   * Every trainable, unfrozen parameter tensor against central differences of the loss, with the
   * same dropout masks for every evaluation. Batch normalization runs in training mode here, on
   * the batch's statistics; its moving averages move with every evaluation but do not enter the
   * training-mode loss (a frozen layer's, which do, stay as they are).
   */
  void check() {
    moveOffZero();
    double resolution = resolution(loss.getAsDouble());
    INDArray analytic = model.gradients().dup();
    Map<String, String> errors = new LinkedHashMap<>();
    long offset = 0;
    for (ParameterSpec parameter : model.spec().parameters()) {
      long start = offset;
      offset += parameter.length();
      if (!parameter.trainable() || model.isFrozen(parameter.layer())) {
        continue;
      }
      INDArray values = NdArrays.view(model.parameters(), start, parameter.length());
      INDArray gradient = NdArrays.view(analytic, start, parameter.length());
      boolean zero = gradient.amaxNumber().doubleValue() == 0;
      tally.zeroGradientTensors += zero ? 1 : 0;
      for (long index : sample(parameter.length(), zero ? ZERO_SAMPLES : SAMPLES)) {
        tally.entries++;
        double expected = gradient.getDouble(index);
        double numeric = FiniteDifferences.derivative(loss::getAsDouble, values, index);
        double error = FiniteDifferences.relativeError(expected, numeric);
        if (error < ModelChecks.MAX_RELATIVE_ERROR) {
          continue;
        }
        double wide =
            FiniteDifferences.derivative(loss::getAsDouble, values, index, FiniteDifferences.WIDE_STEP);
        if (FiniteDifferences.relativeError(expected, wide) < ModelChecks.MAX_RELATIVE_ERROR) {
          tally.wideSteps++;
          continue;
        }
        if (Math.abs(expected - wide) <= resolution) {
          tally.roundingLimited++;
          continue;
        }
        if (atKink(values, index, expected, numeric)) {
          tally.kinks++;
          continue;
        }
        errors.put(
            parameter.layer() + "." + parameter.name() + "[" + index + "]",
            "backward "
                + expected
                + ", finite differences "
                + numeric
                + ", relative error "
                + error);
      }
    }
    FuzzChecks.require(
        errors.isEmpty(), "gradients", "gradients disagree with finite differences: " + errors);
  }

  /**
   * Gives every trainable parameter entry that is exactly 0 (biases as initialized) a small
   * random value. With a zero bias, a unit whose inputs are all zero (behind a dead ReLU, a zero
   * padding, a recurrent layer fed zeros) sits exactly on its ReLU's kink, and often several
   * units switch there at once, in both directions: the loss has no derivative at that point,
   * the backward pass returns the ReLU'(0) = 0 convention, and finite differences the mean of
   * two one-sided slopes, so the check could decide nothing. Off zero it checks the same code.
   */
  private void moveOffZero() {
    long offset = 0;
    for (ParameterSpec parameter : model.spec().parameters()) {
      long start = offset;
      offset += parameter.length();
      if (!parameter.trainable()) {
        continue;
      }
      INDArray values = NdArrays.view(model.parameters(), start, parameter.length());
      for (long i = 0; i < values.length(); i++) {
        if (values.getDouble(i) == 0) {
          values.putScalar(i, random.nextDouble(-0.1, 0.1));
        }
      }
    }
  }

  /**
   * The smallest difference of derivatives the wide step can resolve for a loss of this size:
   * each evaluation of a float64 loss is rounded by some units in its last place (16 allowed
   * for the sums it is made of), and the central difference divides two such roundings by twice
   * the step. For a loss near 1 this is 2e-11; a model whose outputs grow to a loss of 1e8
   * (exponentials feeding a squared penalty) cannot be checked below about 1e-3.
   */
  private static double resolution(double loss) {
    return 2 * 16 * Math.ulp(loss) / (2 * FiniteDifferences.WIDE_STEP);
  }

  /**
   * Whether the loss has a kink (a ReLU or a maximum switching, an absolute value crossing 0)
   * within one step of the entry, where a central difference measures nothing. With a kink
   * between the two evaluations, the slopes to the left and to the right differ by twice the
   * central difference's error (exactly, for one kink); for a smooth loss they differ by the step
   * times the curvature, far below any gradient error worth reporting. So a disagreement that the
   * one-sided slopes explain is a kink, not a bug.
   */
  private boolean atKink(INDArray values, long index, double analytic, double central) {
    double original = values.getDouble(index);
    double here = loss.getAsDouble();
    values.putScalar(index, original + FiniteDifferences.STEP);
    double right = (loss.getAsDouble() - here) / FiniteDifferences.STEP;
    values.putScalar(index, original - FiniteDifferences.STEP);
    double left = (here - loss.getAsDouble()) / FiniteDifferences.STEP;
    values.putScalar(index, original);
    return Math.abs(right - left) >= Math.abs(central - analytic);
  }

  private List<Long> sample(long length, int samples) {
    if (length <= samples) {
      return LongStream.range(0, length).boxed().toList();
    }
    Set<Long> indices = new LinkedHashSet<>();
    while (indices.size() < samples) {
      indices.add(random.nextLong(length));
    }
    return List.copyOf(indices);
  }
}
