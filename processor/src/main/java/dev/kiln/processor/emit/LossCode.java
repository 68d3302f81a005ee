package dev.kiln.processor.emit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.kiln.Activation;
import dev.kiln.Loss;

/**
 * The runtime call computing an output's loss and the gradient that starts the backward pass.
 * Cross-entropies are fused with their softmax or sigmoid, where the gradient with respect to
 * the activation's input is simply {@code (p - y) / n}.
 */
final class LossCode {

  private LossCode() {}

  /** Whether {@code loss} on an output with {@code activation} is fused with it. */
  static boolean isFused(Loss loss, Activation activation) {
    return switch (loss) {
      case CATEGORICAL_CROSSENTROPY, SPARSE_CATEGORICAL_CROSSENTROPY ->
          activation == Activation.SOFTMAX;
      case BINARY_CROSSENTROPY -> activation == Activation.SIGMOID;
      case MSE, MAE -> false;
    };
  }

  /** An expression computing the unweighted loss and writing the weighted gradient. */
  static CodeBlock call(
      Loss loss, CodeBlock prediction, CodeBlock target, CodeBlock weight, CodeBlock gradient) {
    String method = switch (loss) {
      case CATEGORICAL_CROSSENTROPY, SPARSE_CATEGORICAL_CROSSENTROPY -> "withSoftmax";
      case BINARY_CROSSENTROPY -> "withSigmoid";
      case MSE, MAE -> "compute";
    };
    return CodeBlock.of(
        "$T.$L($L, $L, $L, $L)", lossClass(loss), method, prediction, target, weight, gradient);
  }

  private static ClassName lossClass(Loss loss) {
    return Runtime.loss(
        switch (loss) {
          case CATEGORICAL_CROSSENTROPY -> "CategoricalCrossEntropy";
          case SPARSE_CATEGORICAL_CROSSENTROPY -> "SparseCategoricalCrossEntropy";
          case BINARY_CROSSENTROPY -> "BinaryCrossEntropy";
          case MSE -> "MeanSquaredError";
          case MAE -> "MeanAbsoluteError";
        });
  }

  /** A short description for comments: {@code softmax + categorical cross-entropy, fused}. */
  static String describe(Loss loss, Activation activation) {
    String name = loss.name().toLowerCase().replace('_', ' ').replace("crossentropy", "cross-entropy");
    return isFused(loss, activation)
        ? activation.name().toLowerCase() + " and " + name + ", fused: the gradient is (p - y) / n"
        : name;
  }
}
