package dev.kiln.spark;

import dev.kiln.examples.Demo;
import dev.kiln.runtime.data.FashionMnist;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The examples' 5,000 + 1,000 image Fashion-MNIST subset as an RDD of samples that the executors
 * read from their class path, partition {@code p} of {@code n} keeping its contiguous rows.
 */
final class FashionMnistSamples implements Serializable {

  private final boolean test;

  private FashionMnistSamples(boolean test) {
    this.test = test;
  }

  static FashionMnistSamples subset(boolean test) {
    return new FashionMnistSamples(test);
  }

  JavaRDD<Sample> rdd(JavaSparkContext spark, int partitions) {
    List<Integer> indices = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      indices.add(p);
    }
    return spark.parallelize(indices, partitions)
        .flatMap(p -> samples(p, partitions).iterator());
  }

  /** The rows of partition {@code p} of {@code partitions}, or all rows for (0, 1). */
  List<Sample> samples(int p, int partitions) {
    FashionMnist.Split split;
    try {
      FashionMnist.Dataset data = FashionMnist.loadResources(Demo.class, "fashion-mnist-subset/");
      split = test ? data.test() : data.train();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    INDArray images = split.flatImages();
    INDArray labels = split.oneHotLabels();
    long from = split.size() * p / partitions;
    long to = split.size() * (p + 1) / partitions;
    List<Sample> samples = new ArrayList<>((int) (to - from));
    for (long r = from; r < to; r++) {
      samples.add(Sample.of(images.getRow(r).toDoubleVector(), labels.getRow(r).toDoubleVector()));
    }
    return samples;
  }
}
