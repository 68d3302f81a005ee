package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The seed's sequence networks: summaries equal to its Keras tables. */
class SequenceSeedTest {

  @Test
  void rnnSummaryEqualsTheSeedsTable() {
    SeedTables.assertSameTable("rnn", RnnModel.create(1).summary());
  }

  @Test
  void sharedFeatureExtractionSummaryEqualsTheSeedsTable() {
    SeedTables.assertSameTable(
        "shared_feature_extraction", SharedFeatureExtractionModel.create(1).summary());
  }

  @Test
  void multipleOutputsSummaryEqualsTheSeedsTable() {
    SeedTables.assertSameTable("multiple_outputs", MultipleOutputsModel.create(1).summary());
  }

  @Test
  void headlineModelCountsParametersAsKerasDoes() {
    List<SeedTables.Row> rows = SeedTables.rows(HeadlinesModel.create(1).summary());
    Map<String, Long> params = new java.util.HashMap<>();
    rows.forEach(row -> params.put(row.name(), row.params()));
    assertEquals(10_000L * 512, params.get("embedding"));
    // LSTM: 4 gates of (inputs + units + 1 bias) x units.
    assertEquals(4L * (512 + 32 + 1) * 32, params.get("lstm"));
    assertEquals((32 + 5 + 1) * 64L, params.get("dense1"));
    assertEquals(65L, params.get("mainOutput"));
    assertEquals(33L, params.get("auxOutput"));
    assertEquals(5_200_610, HeadlinesModel.create(1).parameterCount());
    assertEquals(
        List.of("mainInput", "embedding", "lstm", "auxInput", "merged", "dense1", "dense2",
            "dense3", "mainOutput", "auxOutput"),
        rows.stream().map(SeedTables.Row::name).toList());
  }

  @Test
  void multipleOutputsPredictReturnsBothTypedOutputs() {
    MultipleOutputsModel model = MultipleOutputsModel.create(3);
    MultipleOutputsModel.Outputs outputs =
        model.predict(dev.kiln.runtime.testing.RandomArrays.uniform(4, 2, 784, 1)
            .castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT));
    assertArrayEquals(new long[] {2, 10}, outputs.output1().shape());
    assertArrayEquals(new long[] {2, 784, 10}, outputs.output2().shape());
  }
}
