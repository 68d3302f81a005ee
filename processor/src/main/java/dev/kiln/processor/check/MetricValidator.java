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
          Metric.MEAN_ABSOLUTE_ERROR, Metric.MEAN_SQUARED_ERROR, Metric.AUC, Metric.PR_AUC,
          Metric.R2_SCORE);

  /** Losses whose targets are classes: categorical, sparse or yes/no. */
  private static final Set<Loss> CLASSIFICATION =
      EnumSet.of(Loss.CATEGORICAL_CROSSENTROPY, Loss.SPARSE_CATEGORICAL_CROSSENTROPY,
          Loss.BINARY_CROSSENTROPY);

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
        } else {
          String problem = kindMismatch(metric, output.loss());
          if (problem != null) {
            report.error(Tag.METRIC_MISMATCH,
                metric + " on " + layer.name() + " " + problem,
                output.attributes().site("metrics"));
          }
        }
      }
    }
    return report.build();
  }

  /** Why {@code metric} cannot score an output trained with {@code loss}, or null. */
  private static String kindMismatch(Metric metric, Loss loss) {
    boolean classification = CLASSIFICATION.contains(loss);
    return switch (metric) {
      case AUC, PR_AUC -> classification ? null
          : "ranks yes/no predictions against 0/1 targets, but its loss " + loss + " is a"
              + " regression loss; use it with BINARY_CROSSENTROPY or CATEGORICAL_CROSSENTROPY,"
              + " or use R2_SCORE or MEAN_ABSOLUTE_ERROR";
      case MEAN_IOU -> loss == Loss.CATEGORICAL_CROSSENTROPY
          || loss == Loss.SPARSE_CATEGORICAL_CROSSENTROPY ? null
          : "compares predicted classes (the highest score of the last axis), but its loss "
              + loss + " does not train classes; use it with CATEGORICAL_CROSSENTROPY or"
              + " SPARSE_CATEGORICAL_CROSSENTROPY";
      case R2_SCORE -> !classification ? null
          : "measures explained variance of a regression, but its loss " + loss + " trains"
              + " classes; use ACCURACY or AUC";
      default -> null;
    };
  }
}
