package dev.kiln.spark;

import dev.kiln.runtime.History;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.callbacks.ModelCheckpoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The entry point for {@code spark-submit}: trains a generated model of 784 inputs and 10
 * classes (the examples' {@code MlpModel}, or any other on the class path) on Fashion-MNIST,
 * data-parallel, and prints its test scores.
 *
 * <pre>
 * spark-submit --class dev.kiln.spark.TrainOnSpark --master spark://HOST:7077 kiln-spark-submit.jar \
 *   --model dev.kiln.examples.MlpModel --data /usr/share/datasets/fashion-mnist \
 *   --epochs 5 --batch 256 --partitions 2 --save mlp.kiln
 * </pre>
 */
public final class TrainOnSpark {

  private TrainOnSpark() {}

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    SparkConf conf = new SparkConf().setAppName("Kiln: " + options.model);
    conf.setIfMissing("spark.master", "local[2]");
    try (JavaSparkContext spark = new JavaSparkContext(conf)) {
      KilnModel model = Replicas.create(options.model, options.seed, DataType.FLOAT);
      int partitions = options.partitions > 0 ? options.partitions : spark.defaultParallelism();
      SparkFitOptions fit = SparkFitOptions.epochs(options.epochs).batchSize(options.batch)
          .seed(options.seed)
          .validationData(FashionMnistRdd.of(spark, options.data, true, partitions));
      if (options.save != null) {
        fit = fit.callbacks(new ModelCheckpoint(options.save));
      }
      History history =
          KilnSpark.fit(model, FashionMnistRdd.of(spark, options.data, false, partitions), fit);
      System.out.println("history: " + history);
      System.out.println("test: " + history.last("val_accuracy") + " accuracy, "
          + history.last("val_loss") + " loss");
    }
  }

  /** The command line. */
  private static final class Options {
    String model = "dev.kiln.examples.MlpModel";
    Path data = Path.of("/usr/share/datasets/fashion-mnist");
    int epochs = 5;
    int batch = 256;
    int partitions;
    long seed = 7;
    Path save;

    static Options parse(String[] args) {
      Options options = new Options();
      List<String> rest = new ArrayList<>(List.of(args));
      while (!rest.isEmpty()) {
        String flag = rest.remove(0);
        if (rest.isEmpty()) {
          throw new IllegalArgumentException(flag + " needs a value; options: --model CLASS"
              + " --data DIR --epochs N --batch N --partitions N --seed N --save FILE");
        }
        String value = rest.remove(0);
        switch (flag) {
          case "--model" -> options.model = value;
          case "--data" -> options.data = Path.of(value);
          case "--epochs" -> options.epochs = Integer.parseInt(value);
          case "--batch" -> options.batch = Integer.parseInt(value);
          case "--partitions" -> options.partitions = Integer.parseInt(value);
          case "--seed" -> options.seed = Long.parseLong(value);
          case "--save" -> options.save = Path.of(value);
          default -> throw new IllegalArgumentException("unknown option " + flag
              + "; options: --model CLASS --data DIR --epochs N --batch N --partitions N"
              + " --seed N --save FILE");
        }
      }
      return options;
    }
  }
}
