package dev.kiln.spark;

import dev.kiln.runtime.History;
import dev.kiln.runtime.KilnModel;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Trains a generated model on Apache Spark, data-parallel, as {@code fit} trains it on one
 * machine:
 *
 * <pre>{@code
 * MlpModel model = MlpModel.create(42);
 * History history = KilnSpark.fit(model, samples, SparkFitOptions.epochs(10).batchSize(256));
 * }</pre>
 *
 * <p>The driver holds the model; executors hold replicas of its class, created through the
 * generated {@code create(long, DataType)}. Each step the driver broadcasts the flat parameters,
 * every partition computes the mean gradient of its share of the global batch with the
 * generated backward pass, the shares are summed weighted by their sample counts (Spark's tree
 * aggregation, or an all-reduce through the block manager: {@link
 * SparkFitOptions#gradientExchange}), and the driver applies one update: the same step as one machine takes with the
 * whole batch, up to the order of float additions. Progress lines, callbacks, validation,
 * checkpoints and the returned history are the driver's.
 */
public final class KilnSpark {

  private KilnSpark() {}

  /** Trains on an RDD of samples, one array per input and target (see {@link Sample}). */
  public static History fit(KilnModel model, JavaRDD<Sample> samples, SparkFitOptions options) {
    requireModelAndOptions(model, options);
    JavaSparkContext spark = JavaSparkContext.fromSparkContext(samples.context());
    TrainingSet training = TrainingSet.of(model, samples, "the training samples");
    TrainingSet validation = options.validationSamples() == null
        ? null
        : TrainingSet.of(model, options.validationSamples(), "the validation samples");
    try {
      Validator validator = validation != null
          ? Validator.onCluster(spark, validation)
          : options.validation() != null ? Validator.onDriver(options.validation()) : null;
      return new DistributedFit(model, options, spark).run(training, validator);
    } finally {
      training.release();
      if (validation != null) {
        validation.release();
      }
    }
  }

  /**
   * Trains on a DataFrame with one column per model input and per output target, named as the
   * layers are (an array column, or a number for an input or target of one value).
   */
  public static History fit(KilnModel model, Dataset<Row> rows, SparkFitOptions options) {
    requireModelAndOptions(model, options);
    return fit(model, RowSamples.of(model.spec(), rows), options);
  }

  /**
   * Trains on an RDD of DL4J {@link MultiDataSet}s: their features in the order the model
   * declares its inputs, their labels in the order it declares its outputs. The global batch is
   * still {@code options.batchSize()}: the data sets are split into samples first.
   */
  public static History fitMultiDataSets(
      KilnModel model, JavaRDD<? extends MultiDataSet> data, SparkFitOptions options) {
    requireModelAndOptions(model, options);
    return fit(model, MultiDataSetSamples.of(data), options);
  }

  private static void requireModelAndOptions(KilnModel model, SparkFitOptions options) {
    if (model == null) {
      throw new IllegalArgumentException("the model is null; create one with XModel.create(seed)");
    }
    if (options == null) {
      throw new IllegalArgumentException("options are null; use SparkFitOptions.epochs(n)");
    }
  }
}
