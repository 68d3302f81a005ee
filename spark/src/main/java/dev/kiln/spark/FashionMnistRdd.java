package dev.kiln.spark;

import dev.kiln.runtime.data.FashionMnist;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Fashion-MNIST as an RDD of samples read by the executors themselves from a directory every
 * machine sees (shared storage, or the same Debian package on each): partition {@code p} of
 * {@code n} keeps its contiguous range of rows, the same every time it is computed. Each sample
 * is the 784 pixels in [0, 1], row-major (so it fits an input of shape 784, 28x28 or 28x28x1),
 * and the one-hot label.
 */
public final class FashionMnistRdd {

  private FashionMnistRdd() {}

  public static JavaRDD<Sample> of(
      JavaSparkContext spark, Path directory, boolean test, int partitions) {
    if (!FashionMnist.isPresent(directory)) {
      throw new IllegalArgumentException(
          "no Fashion-MNIST IDX files in " + directory + "; install Debian's"
              + " dataset-fashion-mnist or give the directory of the four files");
    }
    String where = directory.toString();
    List<Integer> indices = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      indices.add(p);
    }
    return spark.parallelize(indices, partitions)
        .flatMap(p -> rows(Path.of(where), test, p, partitions).iterator());
  }

  /** Rows {@code [size p / n, size (p + 1) / n)} of the training or test split. */
  static List<Sample> rows(Path directory, boolean test, int p, int partitions) {
    FashionMnist.Split split;
    try {
      FashionMnist.Dataset data = FashionMnist.load(directory);
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
