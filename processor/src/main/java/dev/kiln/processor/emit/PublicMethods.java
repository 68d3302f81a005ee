package dev.kiln.processor.emit;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.Node;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The model's public methods a user calls: {@code create}, {@code data}, {@code predict},
 * {@code activations}, {@code trainStep}, {@code computeGradients} and {@code layers}.
 */
final class PublicMethods {

  private static final TypeName INDARRAY = ModelContext.INDARRAY;

  private final ModelContext context;
  private final Network network;
  private final Naming names;
  private final ClassName model;

  PublicMethods(ModelContext context) {
    this.context = context;
    this.network = context.network;
    this.names = context.names;
    this.model = context.model;
  }

  List<MethodSpec> factories() {
    return List.of(
        MethodSpec.methodBuilder("create")
            .addJavadoc("A new model computing in float32, its parameters initialised from {@code seed}.\n")
            .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
            .returns(model)
            .addParameter(long.class, "seed")
            .addStatement("return new $T(seed, $T.FLOAT)", model, Runtime.DATA_TYPE)
            .build(),
        MethodSpec.methodBuilder("create")
            .addJavadoc("A new model computing in {@code dataType} ({@code FLOAT}, or {@code DOUBLE} for gradient checks).\n")
            .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
            .returns(model)
            .addParameter(long.class, "seed")
            .addParameter(Runtime.DATA_TYPE, "dataType")
            .addStatement("return new $T(seed, dataType)", model)
            .build());
  }

  MethodSpec dataFactory() {
    MethodSpec.Builder method =
        MethodSpec.methodBuilder("data")
            .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
            .returns(model.nestedClass("Data"))
            .addJavadoc("Data for {@link #fit} and {@link #evaluate}: one array per input and per output target,\n")
            .addJavadoc("named as the layers are (Keras' {@code fit({'input': x}, {'output': y})}).\n\n");
    List<String> args = new ArrayList<>();
    for (Node node : network.inputs()) {
      method.addParameter(INDARRAY, node.name());
      method.addJavadoc("@param $L input {@code $L}, $L\n", node.name(), node.name(), node.shape().withBatch());
      args.add(node.name());
    }
    for (Node node : network.outputs()) {
      method.addParameter(INDARRAY, node.name());
      method.addJavadoc("@param $L target of output {@code $L}, $L\n", node.name(), node.name(),
          ShapeText.target(node));
      args.add(node.name());
    }
    return method.addStatement("return new Data($L)", String.join(", ", args)).build();
  }

  List<MethodSpec> predictMethods() {
    MethodSpec.Builder withBatch = MethodSpec.methodBuilder("predict")
        .addModifiers(Modifier.PUBLIC)
        .returns(model.nestedClass("Outputs"))
        .addJavadoc("The outputs for every sample, computed in inference mode in batches of {@code batchSize}.\n\n");
    MethodSpec.Builder plain = MethodSpec.methodBuilder("predict")
        .addModifiers(Modifier.PUBLIC)
        .returns(model.nestedClass("Outputs"))
        .addJavadoc("The outputs for every sample, computed in inference mode in batches of 32.\n\n");
    for (Node node : network.inputs()) {
      withBatch.addParameter(INDARRAY, names.input(node));
      plain.addParameter(INDARRAY, names.input(node));
      withBatch.addJavadoc("@param $L $L\n", names.input(node), node.shape().withBatch());
      plain.addJavadoc("@param $L $L\n", names.input(node), node.shape().withBatch());
    }
    withBatch.addParameter(int.class, names.local("batchSize"));
    String inputs = context.inputArgs();
    plain.addStatement("return predict($L, DEFAULT_BATCH_SIZE)", inputs);
    withBatch.addStatement(
        "$T[] $L = predictArrays(new $T[] {$L}, $L)",
        INDARRAY, names.local("outputs"), INDARRAY, inputs, names.local("batchSize"));
    List<String> outputs = new ArrayList<>();
    for (int i = 0; i < network.outputs().size(); i++) {
      outputs.add(names.local("outputs") + "[" + i + "]");
    }
    withBatch.addStatement("return new Outputs($L)", String.join(", ", outputs));
    return List.of(plain.build(), withBatch.build());
  }

  MethodSpec activationsMethod(TypeSpec.Builder type, List<ResultTypes.BufferActivation> bufferActivations) {
    MethodSpec.Builder method = MethodSpec.methodBuilder("activations")
        .addModifiers(Modifier.PUBLIC, Modifier.SYNCHRONIZED)
        .returns(model.nestedClass("Activations"))
        .addJavadoc("Every layer's output for one batch, in inference mode, in new arrays (feature extraction).\n\n");
    context.addInputParameters(method, true);
    context.addInputChecks(method);
    method.addStatement("$T $L = buffersFor($L)", context.buffers, names.local("b"), context.inputArgs());
    method.addStatement("forward($L)", context.forwardArgs("false"));
    List<CodeBlock> copies = new ArrayList<>();
    List<String> pieceNames = new ArrayList<>();
    for (Node node : network.nodes()) {
      CodeBlock copy = CodeBlock.of("$T.copy($L)", Runtime.ND_ARRAYS, context.activationOf(node));
      // A layer whose ReLU its reader applies keeps the values before it in its buffer.
      copies.add(context.plan.reluTakenBackwardBy(node) == null
          ? copy
          : CodeBlock.of("$T.applied($L)", Runtime.kernel("Relu"), copy));
      pieceNames.add(node.name());
    }
    for (ResultTypes.BufferActivation extra : bufferActivations) {
      copies.add(CodeBlock.of("$T.copy($L)", Runtime.ND_ARRAYS,
          context.bufferField(names.extra(extra.node(), extra.suffix()))));
      pieceNames.add(extra.name());
    }
    List<CodeParts.Piece> stores = new ArrayList<>();
    String outputs = names.local("outputs");
    for (int i = 0; i < copies.size(); i++) {
      stores.add(new CodeParts.Piece(pieceNames.get(i),
          CodeBlock.of("$L[$L] = $L;\n", outputs, i, copies.get(i))));
    }
    if (CodeParts.fits(stores)) {
      method.addStatement("return new Activations(new $T[] {\n$>$L})$<", INDARRAY,
          CodeBlock.join(copies, ",\n"));
      return method.build();
    }
    MethodSpec.Builder partSignature = MethodSpec.methodBuilder("activations")
        .addParameter(context.buffers, names.local("b"));
    context.addInputParameters(partSignature, false);
    partSignature.addParameter(ArrayTypeName.of(INDARRAY), outputs);
    CodeParts.Split split = CodeParts.split(partSignature.build(), "activations",
        "Copies the outputs of", stores);
    method.addStatement("$T[] $L = new $T[$L]", INDARRAY, outputs, INDARRAY, copies.size())
        .addCode(split.body())
        .addStatement("return new Activations($L)", outputs);
    type.addTypes(split.parts());
    return method.build();
  }

  MethodSpec trainStep() {
    MethodSpec.Builder method = MethodSpec.methodBuilder("trainStep")
        .addModifiers(Modifier.PUBLIC, Modifier.SYNCHRONIZED)
        .returns(double.class)
        .addJavadoc("One optimizer step on a batch: forward, loss, backward, update.\n")
        .addJavadoc("Buffers are allocated for the first batch of each size and reused after.\n")
        .addJavadoc("A NaN or infinite loss leaves the parameters as they were and throws.\n\n");
    context.addInputParameters(method, true);
    context.addTargetParameters(method, true);
    method.addJavadoc("@return the batch's loss before the update, weighted over outputs\n");
    String loss = names.local("loss");
    method.addStatement("double $L = computeGradients($L)", loss,
        context.inputArgs() + ", " + context.targetArgs());
    method.addStatement("applyGradients($L)", loss);
    method.addStatement("return $L", loss);
    return method.build();
  }

  MethodSpec computeGradients(StepWriter step) {
    MethodSpec.Builder method = MethodSpec.methodBuilder("computeGradients")
        .addModifiers(Modifier.PUBLIC, Modifier.SYNCHRONIZED)
        .returns(double.class)
        .addJavadoc("Forward, loss and backward on a batch: fills {@link #gradients()} without changing\n")
        .addJavadoc("the parameters.\n\n");
    context.addInputParameters(method, true);
    context.addTargetParameters(method, true);
    method.addJavadoc("@return the batch's loss, weighted over outputs\n");
    context.addInputChecks(method);
    String first = names.input(network.inputs().get(0));
    List<Node> outputs = network.outputs();
    for (int i = 0; i < outputs.size(); i++) {
      String target = names.target(outputs.get(i));
      method.addStatement("$L = checkedTarget($L, $L, $L.size(0))", target, i, target, first);
    }
    method.addStatement("$T $L = buffersFor($L)", context.buffers, names.local("b"), context.inputArgs());
    method.addStatement("forward($L)", context.forwardArgs("true"));
    method.addStatement("losses($L, $L)", names.local("b"), context.targetArgs());
    method.addStatement("backward($L, $L)", names.local("b"), context.inputArgs());
    method.addStatement("return $L", step.lossWithPenalties("addWeightPenalties()", names.local("b")));
    return method.build();
  }

  MethodSpec layersAccessor() {
    return MethodSpec.methodBuilder("layers")
        .addModifiers(Modifier.PUBLIC)
        .returns(model.nestedClass("Layers"))
        .addJavadoc("Each layer's parameters, live views of the flat parameter buffer.\n")
        .addStatement("return layers")
        .build();
  }
}
