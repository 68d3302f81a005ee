package dev.kiln.processor.emit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.kiln.Activation;
import dev.kiln.Loss;
import dev.kiln.processor.parse.OutputDecl;

/**
 * The runtime call computing an output's loss and the gradient that starts the backward pass.
 * Cross-entropies are fused with their softmax or sigmoid, where the gradient with respect to
 * the activation's input is simply {@code (p - y) / n}.
 */
final class LossCode {

  private LossCode() {}

  /**
   * Whether the output's loss is fused with its activation. A loss on raw scores ({@code
   * fromLogits}) never is: it applies its softmax or sigmoid itself, after the output's own.
   */
  static boolean isFused(OutputDecl output, Activation activation) {
    if (output.fromLogits()) {
      return false;
    }
    return switch (output.loss()) {
      case CATEGORICAL_CROSSENTROPY, SPARSE_CATEGORICAL_CROSSENTROPY ->
          activation == Activation.SOFTMAX;
      case BINARY_CROSSENTROPY -> activation == Activation.SIGMOID;
      case MSE, MAE, HUBER, KL_DIVERGENCE, COSINE_SIMILARITY, POISSON, LOG_COSH -> false;
    };
  }

  /** Whether the loss smooths its targets (Keras' {@code label_smoothing}). */
  static boolean takesLabelSmoothing(Loss loss) {
    return loss == Loss.CATEGORICAL_CROSSENTROPY || loss == Loss.BINARY_CROSSENTROPY;
  }

  /**
   * An expression computing the unweighted loss and writing the weighted gradient; the losses
   * that {@link #takesLabelSmoothing} also get {@code smoothing}, Huber its {@code delta}.
   */
  static CodeBlock call(
      OutputDecl output, CodeBlock prediction, CodeBlock target, CodeBlock weight,
      CodeBlock gradient, CodeBlock smoothing) {
    Loss loss = output.loss();
    String method = switch (loss) {
      case CATEGORICAL_CROSSENTROPY, SPARSE_CATEGORICAL_CROSSENTROPY ->
          output.fromLogits() ? "fromLogits" : "withSoftmax";
      case BINARY_CROSSENTROPY -> output.fromLogits() ? "fromLogits" : "withSigmoid";
      case MSE, MAE, HUBER, KL_DIVERGENCE, COSINE_SIMILARITY, POISSON, LOG_COSH -> "compute";
    };
    CodeBlock arguments = takesLabelSmoothing(loss)
        ? CodeBlock.of("$L, $L, $L, $L, $L", prediction, target, weight, gradient, smoothing)
        : loss == Loss.HUBER
            ? CodeBlock.of("$L, $L, $L, $L, $L", prediction, target, weight, gradient,
                output.huberDelta())
            : CodeBlock.of("$L, $L, $L, $L", prediction, target, weight, gradient);
    return CodeBlock.of("$T.$L($L)", lossClass(loss), method, arguments);
  }

  private static ClassName lossClass(Loss loss) {
    return Runtime.loss(
        switch (loss) {
          case CATEGORICAL_CROSSENTROPY -> "CategoricalCrossEntropy";
          case SPARSE_CATEGORICAL_CROSSENTROPY -> "SparseCategoricalCrossEntropy";
          case BINARY_CROSSENTROPY -> "BinaryCrossEntropy";
          case MSE -> "MeanSquaredError";
          case MAE -> "MeanAbsoluteError";
          case HUBER -> "Huber";
          case KL_DIVERGENCE -> "KLDivergence";
          case COSINE_SIMILARITY -> "CosineSimilarity";
          case POISSON -> "Poisson";
          case LOG_COSH -> "LogCosh";
        });
  }

  /** A short description for comments: {@code softmax + categorical cross-entropy, fused}. */
  static String describe(OutputDecl output, Activation activation) {
    String name =
        output.loss().name().toLowerCase().replace('_', ' ').replace("crossentropy", "cross-entropy");
    if (isFused(output, activation)) {
      return activation.name().toLowerCase() + " and " + name + ", fused: the gradient is (p - y) / n";
    }
    return output.fromLogits() ? name + " of raw scores (from logits)" : name;
  }
}
