package dev.kiln.processor.check;

import dev.kiln.Loss;
import dev.kiln.Metric;
import dev.kiln.processor.graph.LayerGraph;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.parse.OutputDecl;
import java.util.EnumSet;
import java.util.Set;

/**
 * Checks that each metric reads targets of the form the output's loss takes: class indices for
 * the sparse cross-entropy, arrays shaped like the output for every other loss.
 */
final class MetricValidator {

  /** Metrics that compare the output with a target of the same shape. */
  private static final Set<Metric> SAME_SHAPE =
      EnumSet.of(Metric.CATEGORICAL_ACCURACY, Metric.BINARY_ACCURACY,
          Metric.TOP_K_CATEGORICAL_ACCURACY, Metric.PRECISION, Metric.RECALL,
          Metric.MEAN_ABSOLUTE_ERROR, Metric.MEAN_SQUARED_ERROR);

  /** Metrics that compare the output with class indices. */
  private static final Set<Metric> INDICES =
      EnumSet.of(Metric.SPARSE_CATEGORICAL_ACCURACY, Metric.SPARSE_TOP_K_CATEGORICAL_ACCURACY);

  private MetricValidator() {}

  static Report validate(LayerGraph graph) {
    Report.Builder report = Report.about(graph.model().type());
    for (LayerDecl layer : graph.model().layers()) {
      if (!layer.isOutput()) {
        continue;
      }
      OutputDecl output = layer.output();
      boolean sparse = output.loss() == Loss.SPARSE_CATEGORICAL_CROSSENTROPY;
      for (Metric metric : output.metrics()) {
        boolean mismatch = sparse
            ? SAME_SHAPE.contains(metric)
            : INDICES.contains(metric);
        if (mismatch) {
          report.error(
              Tag.METRIC_MISMATCH,
              metric + " on " + layer.name() + " expects "
                  + (sparse ? "targets shaped like the output (one-hot)" : "class-index targets")
                  + ", but its loss " + output.loss() + " takes "
                  + (sparse ? "class indices" : "targets shaped like the output")
                  + "; use ACCURACY, which follows the loss",
              output.attributes().site("metrics"));
        }
      }
    }
    return report.build();
  }
}
