package dev.kiln.processor.check;

import dev.kiln.Activation;
import dev.kiln.Loss;
import dev.kiln.processor.graph.LayerGraph;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.parse.MethodDecl;
import dev.kiln.processor.parse.OutputDecl;
import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.Node;
import java.util.List;

/**
 * Checks that each output can be trained with its loss: cross-entropies read probabilities from
 * the activation they expect, over a class axis with more than one class, and (as Kiln fuses
 * them with their activation) from an output nothing else reads.
 */
final class LossValidator {

  private LossValidator() {}

  /** What the declarations tell: the loss against the activation, and who reads the output. */
  static Report validate(LayerGraph graph) {
    Report.Builder report = Report.about(graph.model().type());
    for (LayerDecl layer : graph.model().layers()) {
      if (!layer.isOutput() || layer.kind().isInput()) {
        continue;
      }
      OutputDecl output = layer.output();
      labelSmoothing(layer, output, report);
      huberDelta(layer, output, report);
      Activation needed = expectedActivation(output.loss());
      Activation activation = layer.kind().activation(layer);
      if (output.fromLogits()) {
        fromLogits(layer, output, needed, activation, report);
        continue;
      }
      if (needed != null && activation != needed) {
        report.error(
            Tag.LOSS_MISMATCH,
            output.loss() + " on " + layer.name() + " expects probabilities from a "
                + lower(needed) + " activation, but " + layer.name() + " has " + lower(activation)
                + "; use activation = " + needed
                + (activation == Activation.LINEAR
                    ? ", or fromLogits = true to have the loss apply it"
                    : ", or a loss such as MSE"),
            output.attributes().site("loss"));
      }
      // Readers left out of the model (they reach no output) do not count.
      List<MethodDecl> readers = graph.readers(layer.name()).stream()
          .filter(reader -> graph.reachesOutput(reader.name()))
          .toList();
      // The fused gradient is taken before the activation, where readers' gradients cannot join.
      if (needed != null && !output.fromLogits() && !readers.isEmpty()) {
        report.error(
            Tag.UNSUPPORTED,
            "output " + layer.name() + " also feeds " + readers.get(0).name() + ", but an output"
                + " trained with a cross-entropy cannot feed other layers yet; read from the layer"
                + " before it, or add a separate output layer",
            output.attributes().site());
      }
    }
    return report.build();
  }

  /**
   * {@code fromLogits = true}: only cross-entropies take raw scores, and an output that already
   * applies the softmax or sigmoid would have it applied twice (Keras does so, silently).
   */
  private static void fromLogits(
      LayerDecl layer, OutputDecl output, Activation needed, Activation activation,
      Report.Builder report) {
    if (needed == null) {
      report.error(
          Tag.BAD_ATTRIBUTE,
          "fromLogits = true on " + layer.name() + ", whose loss " + output.loss() + " takes no"
              + " probabilities; fromLogits applies to the cross-entropies, so remove it",
          output.attributes().site("fromLogits"));
    } else if (activation == needed) {
      report.warning(
          Tag.DOUBLE_ACTIVATION,
          layer.name() + " applies " + lower(activation) + " and its loss " + output.loss()
              + " applies it again (fromLogits = true), as Keras would; use activation = LINEAR"
              + " to keep the raw scores, or fromLogits = false",
          output.attributes().site("fromLogits"));
    }
  }

  /** Keras' {@code label_smoothing}: in [0, 1], and only where the loss has targets to smooth. */
  private static void labelSmoothing(LayerDecl layer, OutputDecl output, Report.Builder report) {
    double smoothing = output.labelSmoothing();
    if (!(smoothing >= 0 && smoothing <= 1)) {
      report.error(
          Tag.BAD_ATTRIBUTE,
          "labelSmoothing = " + smoothing + " on " + layer.name() + ", but label smoothing mixes"
              + " the targets with a uniform distribution and must be in [0, 1]; 0.1 is common",
          output.attributes().site("labelSmoothing"));
    } else if (smoothing != 0 && output.loss() != Loss.CATEGORICAL_CROSSENTROPY
        && output.loss() != Loss.BINARY_CROSSENTROPY) {
      report.error(
          Tag.BAD_ATTRIBUTE,
          "labelSmoothing = " + smoothing + " on " + layer.name() + ", whose loss "
              + output.loss() + " has no one-hot targets to smooth; label smoothing applies to"
              + " CATEGORICAL_CROSSENTROPY and BINARY_CROSSENTROPY (for integer labels, one-hot"
              + " encode them), so remove it",
          output.attributes().site("labelSmoothing"));
    }
  }

  /** Huber's {@code delta}: positive, and set only where the loss is Huber. */
  private static void huberDelta(LayerDecl layer, OutputDecl output, Report.Builder report) {
    double delta = output.huberDelta();
    if (!(delta > 0) || Double.isInfinite(delta)) {
      report.error(
          Tag.BAD_ATTRIBUTE,
          "huberDelta = " + delta + " on " + layer.name() + ", but Huber's delta, where the loss"
              + " turns from squared to linear, must be a positive number; Keras' default is 1",
          output.attributes().site("huberDelta"));
    } else if (delta != 1.0 && output.loss() != Loss.HUBER) {
      report.error(
          Tag.BAD_ATTRIBUTE,
          "huberDelta = " + delta + " on " + layer.name() + ", whose loss is " + output.loss()
              + "; delta belongs to HUBER, so use loss = HUBER or remove huberDelta",
          output.attributes().site("huberDelta"));
    }
  }

  /** What needs shapes: a class axis to take the cross-entropy over. */
  static Report validate(Network network) {
    Report.Builder report = Report.about(network.model().type());
    for (Node node : network.outputs()) {
      OutputDecl output = node.decl().output();
      if (expectedActivation(output.loss()) == null) {
        continue;
      }
      if (node.shape().rank() == 0) {
        report.error(
            Tag.LOSS_MISMATCH,
            output.loss() + " needs a class axis, but " + node.name() + " is a scalar; give it a"
                + " last axis with one unit per class",
            output.attributes().site("loss"));
      } else if (node.shape().last() == 1 && output.loss() != Loss.BINARY_CROSSENTROPY) {
        report.error(
            Tag.LOSS_MISMATCH,
            output.loss() + " on " + node.name() + " takes a softmax over its last axis, but "
                + node.name() + " has shape " + node.shape().withBatch() + " with one class, whose"
                + " probability is always 1, so nothing would learn; use one unit per class, or"
                + " BINARY_CROSSENTROPY with a sigmoid for a yes/no output",
            output.attributes().site("loss"));
      }
    }
    return report.build();
  }

  /** The activation a loss expects its output's values from, or null for any. */
  static Activation expectedActivation(Loss loss) {
    return switch (loss) {
      case CATEGORICAL_CROSSENTROPY, SPARSE_CATEGORICAL_CROSSENTROPY -> Activation.SOFTMAX;
      case BINARY_CROSSENTROPY -> Activation.SIGMOID;
      case MSE, MAE, HUBER, KL_DIVERGENCE, COSINE_SIMILARITY, POISSON, LOG_COSH -> null;
    };
  }

  private static String lower(Activation activation) {
    return activation.name().toLowerCase();
  }
}
