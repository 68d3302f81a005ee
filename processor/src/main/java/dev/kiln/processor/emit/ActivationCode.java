package dev.kiln.processor.emit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.kiln.Activation;

/**
 * The runtime calls of each activation. ReLU works in place on the output; the others read the
 * pre-activation in their backward pass and so keep it in a buffer of its own, unless their
 * backward pass is fused into the loss. Each has a runtime kernel of its own name ({@code Gelu},
 * {@code HardSigmoid}, ...) with {@code forward(z, y)} and {@code backward(z, dy)}.
 */
final class ActivationCode {

  private ActivationCode() {}

  /** Whether the backward pass needs the pre-activation kept apart from the output. */
  static boolean needsPreActivation(Activation activation) {
    return switch (activation) {
      case LINEAR, RELU -> false;
      default -> true;
    };
  }

  /** The forward call; {@code pre} and {@code out} may be the same buffer. */
  static CodeBlock forward(Activation activation, CodeBlock pre, CodeBlock out) {
    return switch (activation) {
      case LINEAR -> CodeBlock.of("");
      case RELU -> CodeBlock.of("$T.forward($L);\n", kernel(activation), out);
      default -> CodeBlock.of("$T.forward($L, $L);\n", kernel(activation), pre, out);
    };
  }

  /** The backward call, turning {@code gradient} in place into the pre-activation's gradient. */
  static CodeBlock backward(Activation activation, CodeBlock pre, CodeBlock out, CodeBlock gradient) {
    return switch (activation) {
      case LINEAR -> CodeBlock.of("");
      case RELU -> CodeBlock.of("$T.backward($L, $L);\n", kernel(activation), out, gradient);
      default -> CodeBlock.of("$T.backward($L, $L);\n", kernel(activation), pre, gradient);
    };
  }

  private static ClassName kernel(Activation activation) {
    return switch (activation) {
      case LINEAR -> throw new IllegalArgumentException("linear has no kernel");
      case RELU -> Runtime.kernel("Relu");
      case SIGMOID -> Runtime.kernel("Sigmoid");
      case TANH -> Runtime.kernel("Tanh");
      case SOFTMAX -> Runtime.kernel("Softmax");
      case GELU -> Runtime.kernel("Gelu");
      case GELU_TANH -> Runtime.kernel("GeluTanh");
      case SILU -> Runtime.kernel("Silu");
      case LEAKY_RELU -> Runtime.kernel("LeakyRelu");
      case ELU -> Runtime.kernel("Elu");
      case SELU -> Runtime.kernel("Selu");
      case SOFTPLUS -> Runtime.kernel("Softplus");
      case SOFTSIGN -> Runtime.kernel("Softsign");
      case HARD_SIGMOID -> Runtime.kernel("HardSigmoid");
      case EXPONENTIAL -> Runtime.kernel("Exponential");
    };
  }
}
