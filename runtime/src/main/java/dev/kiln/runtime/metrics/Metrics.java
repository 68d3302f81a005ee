package dev.kiln.runtime.metrics;

import dev.kiln.Loss;
import dev.kiln.Metric;
import dev.kiln.runtime.OutputSpec;
import dev.kiln.runtime.data.OneHot;
import java.util.function.BiFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The metric functions behind {@link Metric}, resolved for an output as Keras resolves them.
 * They run on a batch's predictions after the training step, outside the allocation-free step.
 */
public final class Metrics {

  /** Keras' default {@code k} of its top-k accuracies. */
  static final int TOP_K = 5;

  private Metrics() {}

  /** The function computing {@code metric} for {@code output}. */
  public static MetricFunction forOutput(Metric metric, OutputSpec output) {
    double threshold = output.fromLogits() ? 0.0 : 0.5;
    return switch (metric) {
      case ACCURACY -> new MetricFunction("accuracy", accuracyFor(output, threshold));
      case CATEGORICAL_ACCURACY ->
          new MetricFunction("categorical_accuracy", Metrics::categoricalAccuracy);
      case SPARSE_CATEGORICAL_ACCURACY ->
          new MetricFunction("sparse_categorical_accuracy", Metrics::sparseCategoricalAccuracy);
      case BINARY_ACCURACY ->
          new MetricFunction("binary_accuracy", (p, y) -> binaryAccuracy(p, y, threshold));
      case TOP_K_CATEGORICAL_ACCURACY ->
          new MetricFunction("top_k_categorical_accuracy", Metrics::topKCategoricalAccuracy);
      case SPARSE_TOP_K_CATEGORICAL_ACCURACY ->
          new MetricFunction(
              "sparse_top_k_categorical_accuracy",
              (p, labels) -> topKCategoricalAccuracy(p, oneHot(labels, p)));
      case PRECISION -> new MetricFunction("precision", (p, y) -> precision(p, y, threshold));
      case RECALL -> new MetricFunction("recall", (p, y) -> recall(p, y, threshold));
      case MEAN_ABSOLUTE_ERROR ->
          new MetricFunction("mean_absolute_error", Metrics::meanAbsoluteError);
      case MEAN_SQUARED_ERROR ->
          new MetricFunction("mean_squared_error", Metrics::meanSquaredError);
      case AUC -> MetricFunction.overEpoch("auc", () -> new Auc(Auc.Curve.ROC));
      case PR_AUC -> MetricFunction.overEpoch("pr_auc", () -> new Auc(Auc.Curve.PR));
      case MEAN_IOU -> MetricFunction.overEpoch("mean_iou", () -> new MeanIoU(
          Math.toIntExact(output.shape()[output.shape().length - 1]),
          output.loss() == Loss.SPARSE_CATEGORICAL_CROSSENTROPY));
      case R2_SCORE -> MetricFunction.overEpoch("r2_score", R2Score::new);
    };
  }

  /** Keras' {@code accuracy}: sparse or categorical by loss, binary for one unit. */
  private static BiFunction<INDArray, INDArray, Ratio> accuracyFor(
      OutputSpec output, double threshold) {
    if (output.loss() == Loss.SPARSE_CATEGORICAL_CROSSENTROPY) {
      return Metrics::sparseCategoricalAccuracy;
    }
    long[] shape = output.shape();
    boolean oneUnit = shape[shape.length - 1] == 1;
    if (output.loss() == Loss.BINARY_CROSSENTROPY || oneUnit) {
      return (p, y) -> binaryAccuracy(p, y, threshold);
    }
    return Metrics::categoricalAccuracy;
  }

  static Ratio categoricalAccuracy(INDArray p, INDArray y) {
    int classAxis = p.rank() - 1;
    return share(p.argMax(classAxis).eq(y.argMax(classAxis)));
  }

  static Ratio sparseCategoricalAccuracy(INDArray p, INDArray labels) {
    INDArray predicted = p.argMax(p.rank() - 1);
    INDArray expected = labels.reshape(predicted.shape()).castTo(predicted.dataType());
    return share(predicted.eq(expected));
  }

  static Ratio binaryAccuracy(INDArray p, INDArray y, double threshold) {
    return share(p.gt(threshold).eq(y.gt(0.5)));
  }

  /** Whether the target class is among the {@link #TOP_K} highest scores: fewer beat it. */
  static Ratio topKCategoricalAccuracy(INDArray p, INDArray oneHot) {
    int classAxis = p.rank() - 1;
    INDArray targetScore = p.mul(oneHot).sum(true, classAxis);
    INDArray beating = p.gt(targetScore.broadcast(p.shape())).castTo(DataType.DOUBLE).sum(classAxis);
    return share(beating.lt(TOP_K));
  }

  static Ratio precision(INDArray p, INDArray y, double threshold) {
    INDArray predicted = p.gt(threshold).castTo(DataType.DOUBLE);
    INDArray actual = y.gt(0.5).castTo(DataType.DOUBLE);
    double truePositives = predicted.mul(actual).sumNumber().doubleValue();
    return new Ratio(truePositives, predicted.sumNumber().doubleValue());
  }

  static Ratio recall(INDArray p, INDArray y, double threshold) {
    INDArray predicted = p.gt(threshold).castTo(DataType.DOUBLE);
    INDArray actual = y.gt(0.5).castTo(DataType.DOUBLE);
    double truePositives = predicted.mul(actual).sumNumber().doubleValue();
    return new Ratio(truePositives, actual.sumNumber().doubleValue());
  }

  static Ratio meanAbsoluteError(INDArray p, INDArray y) {
    return new Ratio(Transforms.abs(p.sub(y), false).sumNumber().doubleValue(), p.length());
  }

  static Ratio meanSquaredError(INDArray p, INDArray y) {
    return new Ratio(Transforms.pow(p.sub(y), 2, false).sumNumber().doubleValue(), p.length());
  }

  private static INDArray oneHot(INDArray labels, INDArray p) {
    long classes = p.size(p.rank() - 1);
    return OneHot.encode(labels, (int) classes).reshape(p.shape()).castTo(p.dataType());
  }

  private static Ratio share(INDArray matches) {
    return new Ratio(matches.castTo(DataType.DOUBLE).sumNumber().doubleValue(), matches.length());
  }
}
