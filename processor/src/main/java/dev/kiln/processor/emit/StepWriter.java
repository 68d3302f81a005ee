package dev.kiln.processor.emit;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.kiln.Activation;
import dev.kiln.processor.layers.ParamDecl;
import dev.kiln.processor.parse.OutputDecl;
import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.training.ActivityRule;
import dev.kiln.processor.training.WeightRules;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The step: {@code forward}, {@code losses} and {@code backward} as straight-line kernel calls in
 * execution order, and the base class's batch hooks that run them.
 */
final class StepWriter {

  private final ModelContext context;
  private final Network network;
  private final StepPlan plan;
  private final Naming names;
  private final MaskCode maskCode;

  StepWriter(ModelContext context) {
    this.context = context;
    this.network = context.network;
    this.plan = context.plan;
    this.names = context.names;
    this.maskCode = context.maskCode;
  }

  MethodSpec forward(TypeSpec.Builder type) {
    MethodSpec.Builder method = MethodSpec.methodBuilder("forward")
        .addModifiers(Modifier.PRIVATE)
        .addJavadoc("The forward pass, layer by layer in execution order.\n")
        .addParameter(context.buffers, names.local("b"));
    context.addInputParameters(method, false);
    method.addParameter(boolean.class, names.local("training"));
    List<CodeParts.Piece> layers = new ArrayList<>();
    for (Node node : network.nodes()) {
      if (node.decl().kind().isInput()) {
        continue;
      }
      NodeCode code = new NodeCode(context, node);
      Activation activation = plan.activation(node);
      layers.add(new CodeParts.Piece(node.name(), CodeBlock.builder()
          .add("// $L: $L$L -> $L$L\n", node.name(), node.decl().kind().kerasName(),
              activation == Activation.LINEAR ? "" : ", " + activation.name().toLowerCase(),
              node.shape().withBatch(), maskCode.note(node))
          .add(maskCode.combination(node, code))
          .add(forwardWithActivation(node, code, activation))
          .build()));
    }
    return inParts(type, method, "forward", "The forward pass of", layers);
  }

  /**
   * The layer's forward call and its activation's, or one call doing both where the kind has it;
   * a ReLU that the reading layer takes is left to it, and a layer that takes its input's ReLU
   * applies it.
   */
  private CodeBlock forwardWithActivation(Node node, NodeCode code, Activation activation) {
    if (context.shared.passesOnAlways(node)) {
      return CodeBlock.of("// (nothing to compute: its buffer is $L's array, whose values it passes on)\n",
          context.shared.outputSourceInTraining(node).name());
    }
    Node norm = plan.sums().normTaking(node);
    if (norm != null) {
      return CodeBlock.of("// (summed in $L's pass, which normalises each row of the sum as it writes it)\n",
          norm.name());
    }
    Node sum = plan.sums().sumTakenBy(node);
    if (sum != null) {
      return node.decl().kind().forwardOfSum(code, new NodeCode(context, sum));
    }
    Node reluTaker = plan.reluTakenBackwardBy(node);
    if (reluTaker != null) {
      if (context.pooledInPrediction(node, reluTaker) == null) {
        return CodeBlock.builder()
            .add(node.decl().kind().forward(code))
            .add("// (its relu goes forward in $L's forward pass, on the pooled values)\n",
                reluTaker.name())
            .build();
      }
      if (context.pooledInTraining(node, reluTaker) != null) {
        return CodeBlock.builder()
            .beginControlFlow("if ($L.training && !$L)", names.local("b"), names.local("training"))
            .add(node.decl().kind().forward(code))
            .endControlFlow()
            .add("// (its relu goes forward in $L's forward pass, on the pooled values; a prediction\n"
                + "// and a training step compute this layer there, as they pool it)\n",
                reluTaker.name())
            .build();
      }
      return CodeBlock.builder()
          .beginControlFlow("if ($L.training)", names.local("b"))
          .add(node.decl().kind().forward(code))
          .endControlFlow()
          .add("// (its relu goes forward in $L's forward pass, on the pooled values; a prediction\n"
              + "// computes this layer there, as it pools it)\n", reluTaker.name())
          .build();
    }
    if (plan.takesInputReluBackward(node)) {
      Node layer = network.node(node.inputs().get(0));
      CodeBlock pooled = context.pooledInPrediction(layer, node);
      if (pooled == null) {
        return node.decl().kind().forwardThroughRelu(code);
      }
      CodeBlock trained = context.pooledInTraining(layer, node);
      if (trained != null) {
        return CodeBlock.builder()
            .beginControlFlow("if ($L)", names.local("training"))
            .add(trained)
            .nextControlFlow("else if ($L.training)", names.local("b"))
            .add(node.decl().kind().forwardThroughRelu(code))
            .nextControlFlow("else")
            .add(pooled)
            .endControlFlow()
            .build();
      }
      return CodeBlock.builder()
          .beginControlFlow("if ($L.training)", names.local("b"))
          .add(node.decl().kind().forwardThroughRelu(code))
          .nextControlFlow("else")
          .add(pooled)
          .endControlFlow()
          .build();
    }
    CodeBlock fused = node.decl().kind().forwardWithActivation(code, activation);
    if (fused != null) {
      return fused;
    }
    return CodeBlock.builder()
        .add(node.decl().kind().forward(code))
        .add(ActivationCode.forward(activation, code.output(), context.bufferField(names.output(node))))
        .build();
  }

  /** {@code method} with the pieces as its body, calling parts added to {@code type} if they did not fit. */
  private static MethodSpec inParts(TypeSpec.Builder type,
      MethodSpec.Builder method, String name, String purpose, List<CodeParts.Piece> pieces) {
    CodeParts.Split split = CodeParts.split(method.build(), name, purpose, pieces);
    type.addTypes(split.parts());
    return method.addCode(split.body()).build();
  }

  MethodSpec losses() {
    MethodSpec.Builder method = MethodSpec.methodBuilder("losses")
        .addModifiers(Modifier.PRIVATE)
        .addJavadoc("Each output's loss, and the gradient that starts the backward pass.\n")
        .addParameter(context.buffers, names.local("b"));
    context.addTargetParameters(method, false);
    List<Node> outputs = network.outputs();
    for (int i = 0; i < outputs.size(); i++) {
      Node node = outputs.get(i);
      OutputDecl output = node.decl().output();
      method.addCode("// $L: $L$L\n", node.name(), LossCode.describe(output, plan.activation(node)),
          maskCode.lossNote(node));
      if (!maskCode.masksLoss(node)) {
        method.addStatement(
            "setOutputLoss($L, $L)",
            i,
            LossCode.call(
                output,
                context.bufferField(names.output(node)),
                CodeBlock.of("$L", names.target(node)),
                CodeBlock.of("lossWeight($L)", i),
                context.bufferField(names.gradient(node)),
                CodeBlock.of("labelSmoothing($L)", i)));
        continue;
      }
      String p = names.local("p");
      String y = names.local("y");
      String dp = names.local("dp");
      method.addStatement("setOutputLoss($L, $L)", i, maskCode.loss(node,
          CodeBlock.of("$L", names.target(node)), p, y, dp,
          LossCode.call(output, CodeBlock.of("$L", p), CodeBlock.of("$L", y),
              CodeBlock.of("lossWeight($L)", i), CodeBlock.of("$L", dp),
              CodeBlock.of("labelSmoothing($L)", i))));
    }
    return method.build();
  }

  MethodSpec backward(TypeSpec.Builder type) {
    MethodSpec.Builder method = MethodSpec.methodBuilder("backward")
        .addModifiers(Modifier.PRIVATE)
        .addJavadoc("The backward pass, in reverse execution order; every parameter gradient is written.\n")
        .addParameter(context.buffers, names.local("b"));
    context.addInputParameters(method, false);
    List<Node> reversed = new ArrayList<>(network.nodes());
    Collections.reverse(reversed);
    List<CodeParts.Piece> layers = new ArrayList<>();
    for (Node node : reversed) {
      if (!node.decl().kind().isInput()) {
        layers.add(new CodeParts.Piece(node.name(), backwardOf(node)));
      }
    }
    return inParts(type, method, "backward", "The backward pass of", layers);
  }

  private CodeBlock backwardOf(Node node) {
    NodeCode code = new NodeCode(context, node);
    CodeBlock output = context.bufferField(names.output(node));
    CodeBlock.Builder layer = CodeBlock.builder().add("// $L\n", node.name());
    layer.add(ActivityCode.gradient(plan, node, output, code.outputGradient()));
    Node reluTaker = plan.reluTakenBackwardBy(node);
    CodeBlock fused = plan.lossIsFused(node) || reluTaker != null
        ? null
        : node.decl().kind().backwardWithActivation(code, plan.activation(node));
    if (fused != null) {
      layer.add(fused);
    } else {
      if (reluTaker != null && context.pooledInTraining(node, reluTaker) != null) {
        return layer.add("// (its backward pass, with its relu's, went in $L's backward pass)\n",
            reluTaker.name()).build();
      }
      if (reluTaker != null) {
        layer.add("// (its relu went backward in $L's backward pass)\n", reluTaker.name());
      } else if (!plan.lossIsFused(node)) {
        layer.add(ActivationCode.backward(plan.activation(node), code.output(), output, code.outputGradient()));
      }
      layer.add(backwardCall(node, code));
    }
    if (!context.isFirstWeightGradientWriter(node)) {
      Node owner = network.node(node.weightsOwner());
      for (ParamDecl param : owner.params()) {
        if (param.trainable()) {
          layer.addStatement("$L.addi($L)", names.grad(owner, param), names.gradPart(owner, param));
        }
      }
    }
    for (int i = 0; i < node.inputs().size(); i++) {
      Node input = network.node(node.inputs().get(i));
      StepPlan.GradientWrite write = new StepPlan.GradientWrite(node, i);
      if (!plan.hasGradient(input) || plan.isFirstWrite(input, write)) {
        continue;
      }
      if (plan.addsInPlace(input, write)) {
        layer.add(node.decl().kind().addInputGradient(code, context.bufferField(names.gradient(input))));
      } else {
        layer.addStatement("$L.addi($L)", context.bufferField(names.gradient(input)),
            context.bufferField(names.gradientPart(input, plan.partIndex(input, write))));
      }
    }
    return layer.build();
  }

  /**
   * The layer's own backward call: through its input's ReLU where it takes it (and, where a
   * training step pooled that input layer as it computed it, {@code
   * ModelContext.pooledInTraining}, that layer's backward pass too, from this layer's gradient);
   * for a residual Add that a norm takes, the norm's backward pass, which writes the Add's input
   * gradients; nothing for that norm.
   */
  private CodeBlock backwardCall(Node node, NodeCode code) {
    if (context.shared.sharesGradientWithInput(node)) {
      return CodeBlock.of("// (nothing to compute: its gradient's array is $L's, which it passes on)\n",
          node.inputs().get(0));
    }
    if (plan.takesInputReluBackward(node)) {
      Node layer = network.node(node.inputs().get(0));
      if (context.pooledInTraining(layer, node) == null) {
        return node.decl().kind().backwardThroughRelu(code);
      }
      return CodeBlock.builder()
          .add("// (and $L's, whose relu and pooling this are)\n", layer.name())
          .add(context.pooledBackward(layer, node))
          .build();
    }
    Node norm = plan.sums().normTaking(node);
    if (norm != null) {
      return norm.decl().kind().backwardOfSum(new NodeCode(context, norm), code);
    }
    Node sum = plan.sums().sumTakenBy(node);
    if (sum != null) {
      return CodeBlock.of("// (goes backward in $L's pass, writing the gradients of the sum's inputs)\n",
          sum.name());
    }
    return node.decl().kind().backward(code);
  }

  /**
   * The loss a pass returns: the outputs' weighted losses, plus the weight regularizers' penalty
   * ({@code weightPenalty}, which in a training pass also adds its gradient) and the activity
   * regularizers' on the buffers {@code b}, where the model has them.
   */
  String lossWithPenalties(String weightPenalty, String b) {
    String loss = "weightedLoss()";
    if (regularized()) {
      loss += " + " + weightPenalty;
    }
    if (ActivityRule.anyIn(network)) {
      loss += " + activityPenalty(" + b + ")";
    }
    return loss;
  }

  /** Whether a weight regularizer adds to the loss: the passes then add its penalty. */
  private boolean regularized() {
    return network.nodes().stream().anyMatch(node -> node.params().stream()
        .anyMatch(param -> {
          WeightRules rules = WeightRules.of(node.decl().method(), param.name());
          return rules.l1() != 0 || rules.l2() != 0;
        }));
  }

  /** The base class's hooks: {@code trainOnBatch}, {@code testOnBatch}, {@code predictOnBatch}, {@code lastOutput}. */
  List<MethodSpec> batchHooks() {
    String inputs = ShapeText.indexed("inputs", network.inputs().size());
    String targets = ShapeText.indexed("targets", network.outputs().size());
    MethodSpec train = hook("trainOnBatch", TypeName.DOUBLE, true)
        .addStatement("return trainStep($L, $L)", inputs, targets)
        .build();
    MethodSpec test = hook("testOnBatch", TypeName.DOUBLE, true)
        .addStatement("$T b = buffersFor($L)", context.buffers, inputs)
        .addStatement("forward(b, $L, false)", inputs)
        .addStatement("losses(b, $L)", targets)
        .addStatement("return $L", lossWithPenalties("weightPenalties()", "b"))
        .build();
    MethodSpec predict = hook("predictOnBatch", TypeName.VOID, false)
        .addStatement("forward($L($L), $L, false)",
            context.memory.isPlanned() ? "inferenceBuffersFor" : "buffersFor", inputs, inputs)
        .build();
    CodeBlock.Builder cases = CodeBlock.builder().add("return switch (index) {\n$>");
    List<Node> outputs = network.outputs();
    for (int i = 0; i < outputs.size(); i++) {
      cases.add("case $L -> current.$L;\n", i, names.output(outputs.get(i)));
    }
    cases.add("default -> throw new $T(\"no output \" + index);\n$<};\n", IndexOutOfBoundsException.class);
    MethodSpec lastOutput = MethodSpec.methodBuilder("lastOutput")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PROTECTED)
        .returns(ModelContext.INDARRAY)
        .addParameter(int.class, "index")
        .addCode(cases.build())
        .build();
    return List.of(train, test, predict, lastOutput);
  }

  private static MethodSpec.Builder hook(String name, TypeName returns, boolean withTargets) {
    // One model's buffers serve one pass at a time: calls from several threads take turns.
    MethodSpec.Builder method = MethodSpec.methodBuilder(name)
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PROTECTED, Modifier.SYNCHRONIZED)
        .returns(returns)
        .addParameter(ArrayTypeName.of(ModelContext.INDARRAY), "inputs");
    if (withTargets) {
      method.addParameter(ArrayTypeName.of(ModelContext.INDARRAY), "targets");
    }
    return method;
  }
}
