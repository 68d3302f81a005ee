package dev.kiln.spark;

import static dev.kiln.spark.SynchronousTrainingTest.maxAbs;
import static dev.kiln.spark.SynchronousTrainingTest.maxDifference;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/** A DataFrame and an RDD of DL4J MultiDataSets train as the same samples do. */
class DataSourcesTest {

  private static final StructType SCHEMA = new StructType()
      .add("input", DataTypes.createArrayType(DataTypes.DoubleType))
      .add("output", DataTypes.createArrayType(DataTypes.DoubleType));

  @Test
  void aDataFrameWithAColumnPerInputAndOutputTrainsAsItsSamples() {
    List<Row> rows = new ArrayList<>();
    for (Sample sample : SynchronousTrainingTest.SAMPLES) {
      rows.add(RowFactory.create(boxed(sample.inputs()[0]), boxed(sample.targets()[0])));
    }
    Dataset<Row> frame = LocalSpark.session().createDataFrame(rows, SCHEMA).repartition(1);
    SeedModel fromRows = SeedModel.create(3, DataType.DOUBLE);
    KilnSpark.fit(fromRows, frame, SynchronousTrainingTest.options());

    assertSameAsSamples(fromRows);
  }

  @Test
  void anRddOfMultiDataSetsTrainsAsItsSamples() {
    List<MultiDataSet> sets = new ArrayList<>();
    List<Sample> samples = SynchronousTrainingTest.SAMPLES;
    for (int from = 0; from < samples.size(); from += 40) {
      List<Sample> chunk = samples.subList(from, from + 40);
      sets.add(new MultiDataSet(
          Nd4j.createFromArray(chunk.stream().map(s -> s.inputs()[0]).toArray(double[][]::new)),
          Nd4j.createFromArray(chunk.stream().map(s -> s.targets()[0]).toArray(double[][]::new))));
    }
    JavaRDD<MultiDataSet> rdd = LocalSpark.context().parallelize(sets, 2);
    SeedModel fromSets = SeedModel.create(3, DataType.DOUBLE);
    KilnSpark.fitMultiDataSets(fromSets, rdd, SynchronousTrainingTest.options());

    assertSameAsSamples(fromSets);
  }

  @Test
  void aMissingColumnIsNamedWithTheColumnsThereAre() {
    Dataset<Row> frame = LocalSpark.session().createDataFrame(List.of(), SCHEMA)
        .withColumnRenamed("output", "label");
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> KilnSpark.fit(SeedModel.create(3), frame, SynchronousTrainingTest.options()));
    assertTrue(error.getMessage().contains("no column 'output'")
        && error.getMessage().contains("[input, label]"), error.getMessage());
  }

  @Test
  void aSampleOfTheWrongLengthIsRefusedByName() {
    JavaRDD<Sample> bad = LocalSpark.context().parallelize(
        List.of(Sample.of(new double[5], new double[3])), 1);
    Exception error = assertThrows(Exception.class,
        () -> KilnSpark.fit(SeedModel.create(3), bad, SynchronousTrainingTest.options()));
    String message = String.valueOf(error.getMessage());
    assertTrue(message.contains("input 'input' of a sample has 5 values but shape [6] needs 6"),
        message);
  }

  private static void assertSameAsSamples(SeedModel model) {
    SeedModel fromSamples = SeedModel.create(3, DataType.DOUBLE);
    KilnSpark.fit(fromSamples, SynchronousTrainingTest.samples(), SynchronousTrainingTest.options());
    double[] expected = fromSamples.parameters().toDoubleVector();
    double relative =
        maxDifference(model.parameters().toDoubleVector(), expected) / maxAbs(expected);
    assertTrue(relative <= 1e-10, "parameters differ by " + relative + " (relative)");
  }

  private static Double[] boxed(double[] values) {
    Double[] boxed = new Double[values.length];
    for (int i = 0; i < values.length; i++) {
      boxed[i] = values[i];
    }
    return boxed;
  }
}
