package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.api.ops.impl.reduce.floating.Mean;
import org.nd4j.linalg.api.ops.impl.reduce3.Dot;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarAdd;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarDivision;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.impl.summarystats.Variance;
import org.nd4j.linalg.api.ops.impl.transforms.floating.RSqrt;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keras' BatchNormalization over the last (channel) axis: {@code gamma * (x - mean) /
 * sqrt(variance + epsilon) + beta}, per channel, with statistics over all the other axes. In
 * training the statistics are the batch's and the moving statistics follow them; in inference the
 * moving statistics are used as they are.
 */
public final class BatchNormalization {

  private BatchNormalization() {}

  /**
   * A BatchNormalization layer's parameters: views of the model's flat parameter buffer, each
   * {@code (channels)}. Only gamma and beta are trained; the moving statistics are updated by the
   * forward pass.
   *
   * @param gamma the scale, or null for a layer without ({@code scale = false})
   * @param beta the offset, or null for a layer without ({@code center = false})
   */
  public record Parameters(INDArray gamma, INDArray beta, INDArray movingMean, INDArray movingVariance) {}

  /**
   * @param x input, {@code (..., channels)}, rank 2 or more
   * @param gamma {@code (channels)}, or {@code null} for a scale of 1
   * @param beta {@code (channels)}, or {@code null} for an offset of 0
   * @param movingMean {@code (channels)}; in training updated to {@code momentum * movingMean +
   *     (1 - momentum) * batchMean}
   * @param movingVariance {@code (channels)}; in training updated likewise from {@code
   *     batchVariance}
   * @param training normalize with the batch's statistics and update the moving ones; otherwise
   *     normalize with the moving statistics and leave {@code batchMean} and {@code batchVariance}
   *     alone
   * @param batchMean written in training, {@code (channels)}: the mean over all but the last axis
   * @param batchVariance written in training, {@code (channels)}: the biased variance (divided by
   *     the count, as Keras does)
   * @param out written, shaped like {@code x}; may be {@code x}
   */
  public static void forward(
      INDArray x,
      INDArray gamma,
      INDArray beta,
      INDArray movingMean,
      INDArray movingVariance,
      double momentum,
      double epsilon,
      boolean training,
      INDArray batchMean,
      INDArray batchVariance,
      INDArray out) {
    Require.sameShape(out, x, "BatchNormalization output");
    INDArray mean = movingMean;
    INDArray variance = movingVariance;
    if (training) {
      INDArray rows = Rows.ofLastAxis(x);
      Nd4j.exec(new Mean(rows, batchMean, 0));
      Nd4j.exec(new Variance(rows, batchVariance, false, 0));
      updateMoving(movingMean, batchMean, momentum);
      updateMoving(movingVariance, batchVariance, momentum);
      mean = batchMean;
      variance = batchVariance;
    }
    // libnd4j's batchnorm: inputs x, mean, variance, then gamma and beta if present; integer
    // arguments applyScale, applyOffset, then the channel axis; epsilon as the one float argument,
    // kept in double precision (unlike batchnorm_bp's).
    // (The builder's addInputs replaces the inputs rather than appending, so they go in at once.)
    INDArray[] inputs =
        gamma != null && beta != null ? new INDArray[] {x, mean, variance, gamma, beta}
            : gamma != null ? new INDArray[] {x, mean, variance, gamma}
            : beta != null ? new INDArray[] {x, mean, variance, beta}
            : new INDArray[] {x, mean, variance};
    Nd4j.exec(
        DynamicCustomOp.builder("batchnorm")
            .addInputs(inputs)
            .addOutputs(out)
            .addIntegerArguments(gamma != null ? 1 : 0, beta != null ? 1 : 0, x.rank() - 1)
            .addFloatingPointArguments(epsilon)
            .build());
  }

  /**
   * The training-mode gradients, in which the batch statistics depend on {@code x}. With {@code
   * xhat = (x - mean) / sqrt(variance + epsilon)} and {@code m} entries per channel:
   * {@code dBeta = sum(dOut)}, {@code dGamma = sum(dOut * xhat)} and {@code dx = gamma /
   * sqrt(variance + epsilon) * (dOut - (dBeta + xhat * dGamma) / m)}, sums over all but the last
   * axis.
   *
   * <p>libnd4j's batchnorm_bp (1.0.0-M2.1) has the same formula but takes epsilon and {@code 1 /
   * m} as float32, which leaves float64 gradients wrong in the 8th digit, so it is written out here
   * with ops that keep the arrays' precision.
   *
   * @param x the forward input, {@code (..., channels)}
   * @param gamma {@code (channels)}, or {@code null} for a scale of 1
   * @param batchMean the batch mean the training forward pass wrote
   * @param batchVariance the batch variance the training forward pass wrote
   * @param dOut the output gradient, shaped like {@code x}
   * @param dGamma written, {@code (channels)}, or {@code null}
   * @param dBeta written, {@code (channels)}, or {@code null}
   * @param dx written, shaped like {@code x}, or {@code null}; may not share memory with {@code x}
   *     or {@code dOut}
   */
  public static void backward(
      INDArray x,
      INDArray gamma,
      INDArray batchMean,
      INDArray batchVariance,
      double epsilon,
      INDArray dOut,
      INDArray dGamma,
      INDArray dBeta,
      INDArray dx) {
    Require.sameShape(dOut, x, "BatchNormalization output gradient");
    INDArray g = Rows.ofLastAxis(dOut);
    if (dBeta != null) {
      g.sum(dBeta, 0);
    }
    if (dx == null && dGamma == null) {
      return;
    }
    // Per-channel temporaries are alive at once, so each has its own Scratch slot: here 1 /
    // sqrt(variance + epsilon), below the two sums whose outputs may be null.
    INDArray scale = inverseStandardDeviation(batchVariance, epsilon);
    // xhat, in dx's buffer when there is one (a view that fails rather than copy, as it is
    // written).
    INDArray xhat = normalized(x, batchMean, scale, dx);

    INDArray sumDOutXhat = dGamma != null ? dGamma : Scratch.like(batchVariance, 1);
    Nd4j.exec(new Dot(g, xhat, sumDOutXhat, 0));
    if (dx == null) {
      return;
    }
    INDArray sumDOut = dBeta;
    if (sumDOut == null) {
      sumDOut = Scratch.like(batchVariance, 2);
      g.sum(sumDOut, 0);
    }
    long count = x.length() / x.size(x.rank() - 1);
    // xhat becomes dOut - (sumDOut + xhat * sumDOutXhat) / m, then is scaled per channel.
    Nd4j.exec(new BroadcastMulOp(xhat, sumDOutXhat, xhat, 1));
    Nd4j.exec(new BroadcastAddOp(xhat, sumDOut, xhat, 1));
    Nd4j.exec(new ScalarDivision(xhat, null, xhat, (double) count));
    Nd4j.exec(new SubOp(g, xhat, xhat));
    if (gamma != null) {
      Nd4j.exec(new MulOp(scale, gamma, scale));
    }
    Nd4j.exec(new BroadcastMulOp(xhat, scale, xhat, 1));
  }

  /**
   * The gradients of an inference-mode pass, whose statistics are fixed: those of a frozen layer,
   * which Keras runs in inference mode while training (its moving mean and variance). With
   * {@code xhat = (x - mean) / sqrt(variance + epsilon)}: {@code dBeta = sum(dOut)}, {@code
   * dGamma = sum(dOut * xhat)} and {@code dx = gamma / sqrt(variance + epsilon) * dOut}, sums over
   * all but the last axis.
   *
   * @param mean the statistics the forward pass normalised with, {@code (channels)}
   * @param variance likewise
   * @param dGamma written, {@code (channels)}, or {@code null}
   * @param dBeta written, {@code (channels)}, or {@code null}
   * @param dx written, shaped like {@code x}, or {@code null}; may not share memory with {@code x}
   *     or {@code dOut}
   */
  public static void backwardWithFixedStatistics(
      INDArray x,
      INDArray gamma,
      INDArray mean,
      INDArray variance,
      double epsilon,
      INDArray dOut,
      INDArray dGamma,
      INDArray dBeta,
      INDArray dx) {
    Require.sameShape(dOut, x, "BatchNormalization output gradient");
    INDArray g = Rows.ofLastAxis(dOut);
    if (dBeta != null) {
      g.sum(dBeta, 0);
    }
    INDArray scale = inverseStandardDeviation(variance, epsilon);
    if (dGamma != null) {
      Nd4j.exec(new Dot(g, normalized(x, mean, scale, null), dGamma, 0));
    }
    if (dx == null) {
      return;
    }
    if (gamma != null) {
      Nd4j.exec(new MulOp(scale, gamma, scale));
    }
    Nd4j.exec(new BroadcastMulOp(g, scale, Views.reshaped(dx, g.shape()), 1));
  }

  /** {@code 1 / sqrt(variance + epsilon)}, per channel, in Scratch slot 0. */
  private static INDArray inverseStandardDeviation(INDArray variance, double epsilon) {
    INDArray scale = Scratch.like(variance, 0);
    Nd4j.exec(new ScalarAdd(variance, null, scale, epsilon));
    Nd4j.exec(new RSqrt(scale, scale));
    return scale;
  }

  /**
   * {@code xhat = (x - mean) * scale} as rows of the last axis, written to {@code into} or, when
   * that is null, to an x-shaped scratch whose slot (3) keeps it apart from the per-channel ones.
   */
  private static INDArray normalized(INDArray x, INDArray mean, INDArray scale, INDArray into) {
    INDArray rows = Rows.ofLastAxis(x);
    INDArray xhat = Views.reshaped(into != null ? into : Scratch.like(x, 3), rows.shape());
    Nd4j.exec(new BroadcastSubOp(rows, mean, xhat, 1));
    Nd4j.exec(new BroadcastMulOp(xhat, scale, xhat, 1));
    return xhat;
  }

  /** {@code moving = momentum * moving + (1 - momentum) * batch}, in place. */
  private static void updateMoving(INDArray moving, INDArray batch, double momentum) {
    Nd4j.exec(new ScalarMultiplication(moving, null, moving, momentum));
    // libnd4j's axpy: z = p * x + y.
    Nd4j.exec(new Axpy(batch, moving, moving, 1 - momentum));
  }
}
