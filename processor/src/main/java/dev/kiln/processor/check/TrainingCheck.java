package dev.kiln.processor.check;

import dev.kiln.Activation;
import dev.kiln.Loss;
import dev.kiln.Metric;
import dev.kiln.processor.parse.OutputDecl;
import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.Node;

/** Checks that each output can be trained as declared: loss against activation, weights, metrics. */
public final class TrainingCheck {

  private TrainingCheck() {}

  public static void run(Network network, Report report) {
    for (Node node : network.outputs()) {
      OutputDecl output = node.decl().output();
      Activation activation = node.decl().kind().activation(node.decl());
      checkLoss(node, output, activation, report);
      checkWeight(node, output, report);
      checkMetrics(node, output, report);
      if (isCrossEntropy(output.loss()) && !network.consumers(node.name()).isEmpty()) {
        report.error(
            "Unsupported",
            "output " + node.name() + " also feeds " + network.consumers(node.name()).get(0).name()
                + "; an output trained with a cross-entropy cannot feed other layers yet. Read"
                + " from the layer before it, or add a separate output layer",
            node.decl().method(),
            output.attributes().mirror());
      }
    }
  }

  private static void checkLoss(Node node, OutputDecl output, Activation activation, Report report) {
    Activation needed =
        switch (output.loss()) {
          case CATEGORICAL_CROSSENTROPY, SPARSE_CATEGORICAL_CROSSENTROPY -> Activation.SOFTMAX;
          case BINARY_CROSSENTROPY -> Activation.SIGMOID;
          case MSE, MAE -> null;
        };
    if (needed != null && activation != needed) {
      report.error(
          "LossMismatch",
          output.loss() + " on " + node.name() + " expects probabilities from a "
              + needed.name().toLowerCase() + " activation, but " + node.name() + " has "
              + activation.name().toLowerCase() + "; use activation = " + needed
              + (output.loss() == Loss.BINARY_CROSSENTROPY ? "" : ", or a loss such as MSE"),
          node.decl().method(),
          output.attributes().mirror(),
          output.attributes().written("loss"));
    }
    if (output.loss() != Loss.MSE && output.loss() != Loss.MAE && node.shape().rank() == 0) {
      report.error(
          "LossMismatch",
          output.loss() + " needs a class axis, but " + node.name() + " is a scalar",
          node.decl().method(),
          output.attributes().mirror());
    }
  }

  private static void checkWeight(Node node, OutputDecl output, Report report) {
    double weight = output.weight();
    if (!(weight >= 0) || Double.isInfinite(weight)) {
      report.error(
          "BadAttribute",
          "weight = " + weight + " on output " + node.name() + "; a loss weight must be finite and"
              + " not negative",
          node.decl().method(),
          output.attributes().mirror(),
          output.attributes().written("weight"));
    }
  }

  private static void checkMetrics(Node node, OutputDecl output, Report report) {
    boolean sparse = output.loss() == Loss.SPARSE_CATEGORICAL_CROSSENTROPY;
    for (Metric metric : output.metrics()) {
      boolean mismatch =
          (metric == Metric.SPARSE_CATEGORICAL_ACCURACY && !sparse)
              || (metric == Metric.CATEGORICAL_ACCURACY && sparse);
      if (mismatch) {
        report.error(
            "MetricMismatch",
            metric + " on " + node.name() + " expects "
                + (sparse ? "one-hot targets" : "class-index targets") + ", but its loss "
                + output.loss() + " takes " + (sparse ? "class indices" : "one-hot targets")
                + "; use ACCURACY, which follows the loss",
            node.decl().method(),
            output.attributes().mirror(),
            output.attributes().written("metrics"));
      }
    }
  }

  private static boolean isCrossEntropy(Loss loss) {
    return loss != Loss.MSE && loss != Loss.MAE;
  }
}
