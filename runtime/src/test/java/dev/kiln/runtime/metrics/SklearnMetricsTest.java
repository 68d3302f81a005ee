package dev.kiln.runtime.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.Loss;
import dev.kiln.Metric;
import dev.kiln.runtime.OutputSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The metrics against scikit-learn's values on fixed inputs, ties included, from {@code
 * sklearn-fixtures.txt}, which {@code runtime/src/test/python/metric_fixtures.py} writes. The
 * inputs go in as three batches of unequal size, so a metric that averaged per batch would fail.
 */
class SklearnMetricsTest {

  private static final double TOLERANCE = 1e-12;
  private static Map<String, double[]> fixtures;

  @BeforeAll
  static void readFixtures() throws IOException {
    fixtures = new HashMap<>();
    try (InputStream in = SklearnMetricsTest.class.getResourceAsStream("sklearn-fixtures.txt")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        int colon = line.indexOf(':');
        fixtures.put(line.substring(0, colon), Arrays.stream(line.substring(colon + 1).trim()
            .split(" ")).mapToDouble(Double::parseDouble).toArray());
      }
    }
  }

  private static INDArray matrix(String name, int columns) {
    double[] values = fixtures.get(name);
    return Nd4j.createFromArray(values).reshape(values.length / columns, columns);
  }

  private static double expected(String name) {
    return fixtures.get(name)[0];
  }

  /** The metric's value over the rows given in three batches of unequal size. */
  private static double overBatches(MetricFunction metric, INDArray p, INDArray y) {
    long rows = p.size(0);
    long[] cuts = {0, rows / 5, rows / 2, rows};
    EpochMetric epoch = metric.overEpoch() ? metric.epoch().get() : null;
    double numerator = 0;
    double denominator = 0;
    for (int b = 0; b < 3; b++) {
      INDArray pb = p.get(NDArrayIndex.interval(cuts[b], cuts[b + 1]), NDArrayIndex.all()).dup();
      INDArray yb = y.rank() == 1
          ? y.get(NDArrayIndex.interval(cuts[b], cuts[b + 1])).dup()
          : y.get(NDArrayIndex.interval(cuts[b], cuts[b + 1]), NDArrayIndex.all()).dup();
      if (epoch != null) {
        epoch.update(pb, yb);
      } else {
        Ratio ratio = metric.of(pb, yb);
        numerator += ratio.numerator();
        denominator += ratio.denominator();
      }
    }
    return epoch != null ? epoch.result() : numerator / denominator;
  }

  private static MetricFunction metric(Metric metric, Loss loss, long... shape) {
    return Metrics.forOutput(metric, new OutputSpec("out", shape, loss, 1, List.of(metric)));
  }

  @Test
  void rocAucWithTiesIsRocAucScore() {
    assertEquals(expected("auc.roc"), overBatches(metric(Metric.AUC, Loss.BINARY_CROSSENTROPY, 2),
        matrix("auc.scores", 2), matrix("auc.labels", 2)), TOLERANCE);
  }

  @Test
  void prAucWithTiesIsAveragePrecisionScore() {
    assertEquals(expected("auc.pr"), overBatches(
        metric(Metric.PR_AUC, Loss.BINARY_CROSSENTROPY, 2),
        matrix("auc.scores", 2), matrix("auc.labels", 2)), TOLERANCE);
  }

  @Test
  void precisionAndRecallOverTheEpochArePrecisionScoreAndRecallScore() {
    INDArray p = matrix("auc.scores", 2);
    INDArray y = matrix("auc.labels", 2);
    assertEquals(expected("precision"),
        overBatches(metric(Metric.PRECISION, Loss.BINARY_CROSSENTROPY, 2), p, y), TOLERANCE);
    assertEquals(expected("recall"),
        overBatches(metric(Metric.RECALL, Loss.BINARY_CROSSENTROPY, 2), p, y), TOLERANCE);
  }

  @Test
  void meanIouOfSparseAndOneHotTargetsIsMacroJaccardScore() {
    INDArray scores = matrix("iou.scores", 5);
    INDArray labels = Nd4j.createFromArray(fixtures.get("iou.labels"));
    assertEquals(expected("iou.mean"), overBatches(
        metric(Metric.MEAN_IOU, Loss.SPARSE_CATEGORICAL_CROSSENTROPY, 5), scores, labels),
        TOLERANCE);
    INDArray oneHot = Nd4j.zeros(labels.length(), 5);
    for (int i = 0; i < labels.length(); i++) {
      oneHot.putScalar(i, labels.getInt(i), 1);
    }
    assertEquals(expected("iou.mean"), overBatches(
        metric(Metric.MEAN_IOU, Loss.CATEGORICAL_CROSSENTROPY, 5), scores, oneHot), TOLERANCE);
  }

  @Test
  void r2IsR2ScoreWithUniformAverage() {
    assertEquals(expected("r2.score"), overBatches(metric(Metric.R2_SCORE, Loss.MSE, 3),
        matrix("r2.predictions", 3), matrix("r2.targets", 3)), TOLERANCE);
  }

  @Test
  void sparseTopFiveIsTopKAccuracyScore() {
    assertEquals(expected("topk.accuracy"), overBatches(
        metric(Metric.SPARSE_TOP_K_CATEGORICAL_ACCURACY, Loss.SPARSE_CATEGORICAL_CROSSENTROPY, 8),
        matrix("topk.scores", 8), Nd4j.createFromArray(fixtures.get("topk.labels"))), TOLERANCE);
  }

  @Test
  void aucOfOneClassOnlyIsZeroNotNaN() {
    Auc auc = new Auc(Auc.Curve.ROC);
    auc.update(Nd4j.createFromArray(0.2, 0.7), Nd4j.createFromArray(1.0, 1.0));
    assertEquals(0.0, auc.result());
  }
}
