package dev.kiln.runtime.metrics;

import dev.kiln.Loss;
import dev.kiln.Metric;
import dev.kiln.runtime.OutputSpec;
import java.util.function.ToDoubleBiFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The metric functions behind {@link Metric}, resolved for an output as Keras resolves them. */
public final class Metrics {

  private Metrics() {}

  /** The function computing {@code metric} for {@code output}. */
  public static MetricFunction forOutput(Metric metric, OutputSpec output) {
    return switch (metric) {
      case ACCURACY -> new MetricFunction("accuracy", accuracyFor(output));
      case CATEGORICAL_ACCURACY ->
          new MetricFunction("categorical_accuracy", Metrics::categoricalAccuracy);
      case SPARSE_CATEGORICAL_ACCURACY ->
          new MetricFunction("sparse_categorical_accuracy", Metrics::sparseCategoricalAccuracy);
      case BINARY_ACCURACY -> new MetricFunction("binary_accuracy", Metrics::binaryAccuracy);
      case MEAN_ABSOLUTE_ERROR -> new MetricFunction("mean_absolute_error", Metrics::meanAbsoluteError);
      case MEAN_SQUARED_ERROR -> new MetricFunction("mean_squared_error", Metrics::meanSquaredError);
    };
  }

  /** Keras' {@code accuracy}: sparse or categorical by loss, binary for one unit. */
  private static ToDoubleBiFunction<INDArray, INDArray> accuracyFor(OutputSpec output) {
    if (output.loss() == Loss.SPARSE_CATEGORICAL_CROSSENTROPY) {
      return Metrics::sparseCategoricalAccuracy;
    }
    long[] shape = output.shape();
    boolean oneUnit = shape[shape.length - 1] == 1;
    if (output.loss() == Loss.BINARY_CROSSENTROPY || oneUnit) {
      return Metrics::binaryAccuracy;
    }
    return Metrics::categoricalAccuracy;
  }

  static double categoricalAccuracy(INDArray p, INDArray y) {
    int classAxis = p.rank() - 1;
    return share(p.argMax(classAxis).eq(y.argMax(classAxis)));
  }

  static double sparseCategoricalAccuracy(INDArray p, INDArray labels) {
    INDArray predicted = p.argMax(p.rank() - 1);
    INDArray expected = labels.reshape(predicted.shape()).castTo(predicted.dataType());
    return share(predicted.eq(expected));
  }

  static double binaryAccuracy(INDArray p, INDArray y) {
    return share(p.gt(0.5).eq(y.gt(0.5)));
  }

  static double meanAbsoluteError(INDArray p, INDArray y) {
    return Transforms.abs(p.sub(y), false).meanNumber().doubleValue();
  }

  static double meanSquaredError(INDArray p, INDArray y) {
    return Transforms.pow(p.sub(y), 2, false).meanNumber().doubleValue();
  }

  private static double share(INDArray matches) {
    return matches.castTo(DataType.DOUBLE).meanNumber().doubleValue();
  }
}
