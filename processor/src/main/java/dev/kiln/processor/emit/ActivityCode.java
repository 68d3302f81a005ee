package dev.kiln.processor.emit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.kiln.Activation;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.training.ActivityRule;
import java.util.List;
import java.util.function.Function;
import javax.lang.model.element.Modifier;

/**
 * The generated code of activity regularizers ({@code @Regularizers(activityL1, activityL2)}):
 * the penalty on the layers' outputs, added to the loss, and its gradient, added to each
 * layer's output gradient in the backward pass once every reader of the layer has written its
 * share, before the layer's own backward.
 */
final class ActivityCode {

  private static final ClassName REGULARIZER = Runtime.kernel("ActivityRegularizer");

  private ActivityCode() {}

  /**
   * The statement adding {@code node}'s penalty gradient to its output gradient; empty without
   * a regularizer. Where the loss is fused with a softmax or sigmoid, the gradient buffer holds
   * the gradient before that activation, so the penalty's goes through it first. A layer that
   * reaches no output has its gradient written by nobody else: it is cleared first.
   */
  static CodeBlock gradient(StepPlan plan, Node node, CodeBlock output, CodeBlock gradient) {
    ActivityRule rule = ActivityRule.of(plan.network(), node);
    if (!rule.any()) {
      return CodeBlock.of("");
    }
    CodeBlock.Builder code = CodeBlock.builder();
    if (!plan.isWritten(node)) {
      code.addStatement("$L.assign(0)", gradient);
    }
    String method = "addGradient";
    if (plan.lossIsFused(node)) {
      method = plan.activation(node) == Activation.SOFTMAX
          ? "addGradientThroughSoftmax"
          : "addGradientThroughSigmoid";
    }
    return code.addStatement("$T.$L($L, $L, $L, $L)", REGULARIZER, method, output, rule.l1(),
        rule.l2(), gradient).build();
  }

  /**
   * {@code activityPenalty(b)}: the sum of the activity regularizers' penalties on the outputs of
   * the last forward pass.
   */
  static MethodSpec penaltyMethod(
      StepPlan plan, ClassName buffers, String local, Function<Node, CodeBlock> output) {
    List<CodeBlock> terms = plan.network().nodes().stream()
        .filter(node -> ActivityRule.of(plan.network(), node).any())
        .map(node -> {
          ActivityRule rule = ActivityRule.of(plan.network(), node);
          return CodeBlock.of("$T.penalty($L, $L, $L)", REGULARIZER, output.apply(node), rule.l1(),
              rule.l2());
        })
        .toList();
    return MethodSpec.methodBuilder("activityPenalty")
        .addModifiers(Modifier.PRIVATE)
        .returns(double.class)
        .addJavadoc("The activity regularizers' penalty on the layers' outputs of the last forward\n")
        .addJavadoc("pass: {@code (l1 sum|a| + l2 sum a^2) / batch} each, as Keras adds it to the loss.\n")
        .addParameter(buffers, local)
        .addStatement("return $L", CodeBlock.join(terms, "\n    + "))
        .build();
  }
}
