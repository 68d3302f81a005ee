package dev.kiln.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/** DL4J MultiDataSets as samples: every row of every data set one sample. */
final class MultiDataSetSamples {

  private MultiDataSetSamples() {}

  static JavaRDD<Sample> of(JavaRDD<? extends MultiDataSet> data) {
    if (data == null) {
      throw new IllegalArgumentException("the MultiDataSet RDD is null");
    }
    return data.flatMap(set -> split(set).iterator());
  }

  static List<Sample> split(MultiDataSet set) {
    INDArray[] features = set.getFeatures();
    INDArray[] labels = set.getLabels();
    long rows = features[0].size(0);
    List<Sample> samples = new ArrayList<>((int) rows);
    for (long r = 0; r < rows; r++) {
      samples.add(new Sample(rowsOf(features, r), rowsOf(labels, r)));
    }
    return samples;
  }

  private static double[][] rowsOf(INDArray[] arrays, long row) {
    double[][] values = new double[arrays.length][];
    for (int i = 0; i < arrays.length; i++) {
      INDArray sample = arrays[i].rank() == 1
          ? arrays[i].getScalar(row)
          : arrays[i].slice(row);
      values[i] = sample.dup('c').reshape(sample.length()).toDoubleVector();
    }
    return values;
  }
}
