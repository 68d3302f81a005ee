package dev.kiln.processor.emit;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.kiln.Activation;
import dev.kiln.Constraint;
import dev.kiln.DType;
import dev.kiln.Initializer;
import dev.kiln.Loss;
import dev.kiln.Metric;
import dev.kiln.processor.KilnProcessor;
import dev.kiln.processor.layers.LayerCode;
import dev.kiln.processor.layers.LayerKind;
import dev.kiln.processor.layers.ParamDecl;
import dev.kiln.processor.parse.Application;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.parse.OutputDecl;
import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import dev.kiln.processor.training.ActivityRule;
import dev.kiln.processor.training.WeightRules;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * Writes the model class of a checked network: typed inputs and outputs, the flat parameter
 * views, the batch buffers, and forward, loss and backward passes as straight-line calls of
 * runtime kernels in execution order.
 */
public final class ModelWriter {

  private static final ClassName GENERATED =
      ClassName.get("javax.annotation.processing", "Generated");
  private static final TypeName INDARRAY = Runtime.INDARRAY;

  private final Network network;
  private final StepPlan plan;
  private final Naming names;
  private final MemoryPlan memory;
  private final ClassName model;
  private final ClassName buffers;

  public ModelWriter(Network network) {
    this.network = network;
    this.plan = new StepPlan(network);
    this.names = new Naming(network);
    this.memory = new MemoryPlan(network, plan, names);
    this.model = ClassName.get(network.model().packageName(), network.model().className());
    this.buffers = model.nestedClass("Buffers");
  }

  public JavaFile write() {
    TypeSpec.Builder type =
        TypeSpec.classBuilder(model)
            .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
            .superclass(Runtime.KILN_MODEL)
            .addOriginatingElement(network.model().type())
            .addAnnotation(
                AnnotationSpec.builder(GENERATED)
                    .addMember("value", "$S", KilnProcessor.class.getCanonicalName())
                    .addMember("comments", "$S", "from " + network.model().type().getQualifiedName())
                    .build())
            .addJavadoc(classJavadoc());
    addConstants(type);
    List<CodeParts.Piece> setUp = constructorWork();
    // Fields assigned in the constructor's parts cannot be final.
    addParameterFields(type, CodeParts.fits(setUp));
    type.addField(
        FieldSpec.builder(
                ParameterizedTypeName.get(Runtime.BUFFER_CACHE, buffers), "buffers", Modifier.PRIVATE, Modifier.FINAL)
            .initializer("new $T<>()", Runtime.BUFFER_CACHE)
            .build());
    if (memory.isPlanned()) {
      type.addField(
          FieldSpec.builder(
                  ParameterizedTypeName.get(Runtime.BUFFER_CACHE, buffers), "inferenceBuffers",
                  Modifier.PRIVATE, Modifier.FINAL)
              .addJavadoc("Buffers for predictions only, whose layer outputs share memory; made on the first.\n")
              .initializer("new $T<>()", Runtime.BUFFER_CACHE)
              .build());
    }
    type.addField(
        FieldSpec.builder(buffers, "current", Modifier.PRIVATE)
            .addJavadoc("The buffers of the last forward pass, read by {@link #lastOutput}.\n")
            .build());
    type.addField(model.nestedClass("Layers"), "layers", Modifier.PRIVATE, Modifier.FINAL);
    type.addMethod(constructor(type, setUp));
    type.addMethods(factories());
    type.addMethod(dataFactory());
    type.addMethods(predictMethods());
    type.addMethod(activationsMethod(type));
    type.addMethod(trainStep());
    type.addMethod(computeGradients());
    type.addMethod(layersAccessor());
    if (memory.isPlanned()) {
      type.addMethod(bufferPlan());
    }
    type.addMethods(transferMethods());
    type.addMethod(forward(type));
    type.addMethod(losses());
    type.addMethod(backward(type));
    if (ActivityRule.anyIn(network)) {
      type.addMethod(ActivityCode.penaltyMethod(
          plan, buffers, names.local("b"), node -> bufferField(names.output(node))));
    }
    type.addMethod(buffersFor());
    if (memory.isPlanned()) {
      type.addMethod(inferenceBuffersFor());
    }
    type.addMethods(batchHooks());
    if (SummaryTable.hasNested(network)) {
      type.addMethod(MethodSpec.methodBuilder("expandedSummaryTable")
          .addAnnotation(Override.class)
          .addModifiers(Modifier.PROTECTED)
          .returns(String.class)
          .addJavadoc("The summary's table with a row for every layer inside blocks.\n")
          .addStatement("return $L", StringConstant.initializer(SummaryTable.render(network, true)))
          .build());
    }
    type.addType(buffersClass());
    type.addType(dataRecord());
    type.addType(outputsRecord());
    type.addType(activationsRecord());
    type.addType(layersClass());
    return JavaFile.builder(model.packageName(), type.build())
        .skipJavaLangImports(true)
        .indent("  ")
        .build();
  }

  // ---- class Javadoc and constants ----

  private CodeBlock classJavadoc() {
    String table = SummaryTable.render(network)
        + SummaryTable.totals(network.paramCount(), network.trainableCount());
    return CodeBlock.builder()
        .add("The network declared by {@link $T}, generated by Kiln.\n\n", ClassName.get(network.model().type()))
        .add("<pre>\n$L</pre>\n\n", escapeHtml(table))
        .add("<p>Create it with {@link #create(long)}; train it with {@link #fit} on {@link #data},\n")
        .add("or one batch at a time with {@link #trainStep}; predict with {@link #predict}.\n")
        .build();
  }

  private void addConstants(TypeSpec.Builder type) {
    type.addField(
        FieldSpec.builder(String.class, "SUMMARY_TABLE", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
            .initializer(StringConstant.initializer(SummaryTable.render(network)))
            .build());
    type.addField(
        FieldSpec.builder(String.class, "DOT", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
            .initializer(StringConstant.initializer(DotGraph.render(network)))
            .build());
    LayerCosts costs = new LayerCosts(plan);
    List<CodeBlock> params = new ArrayList<>();
    List<String> paramLayers = new ArrayList<>();
    for (Node node : network.nodes()) {
      for (ParamDecl param : node.params()) {
        paramLayers.add(node.name());
        CodeBlock parameter = CodeBlock.of(
            "new $T($S, $S, $L, $T.$L, $L, $L, $L",
            Runtime.PARAMETER_SPEC,
            node.name(),
            param.name(),
            longArray(param.shape()),
            Initializer.class,
            param.initializer(),
            param.fanIn(),
            param.fanOut(),
            param.trainable());
        // Regularizers and constraints are rare: written only when set.
        WeightRules rules = WeightRules.of(node.decl().method(), param.name());
        params.add(rules.any()
            ? CodeBlock.of("$L, $L, $L, $T.$L, $L)", parameter, rules.l1(), rules.l2(),
                Constraint.class, rules.constraint(), rules.maxNorm())
            : CodeBlock.of("$L)", parameter));
      }
    }
    List<Node> frozenNodes = network.nodes().stream()
        .filter(node -> node.decl().frozen() && !node.params().isEmpty())
        .toList();
    SpecList inputs = new SpecList(Runtime.INPUT_SPEC, "inputSpecs", "input specs",
        names(network.inputs()), network.inputs().stream().map(this::inputSpec).toList());
    SpecList outputs = new SpecList(Runtime.OUTPUT_SPEC, "outputSpecs", "output specs",
        names(network.outputs()), network.outputs().stream().map(this::outputSpec).toList());
    SpecList parameters = new SpecList(Runtime.PARAMETER_SPEC, "parameterSpecs",
        "parameter specs", paramLayers, params);
    SpecList frozen = new SpecList(ClassName.get(String.class), "frozenLayers",
        "frozen layers", names(frozenNodes),
        frozenNodes.stream().map(node -> CodeBlock.of("$S", node.name())).toList());
    SpecList layers = new SpecList(Runtime.LAYER_SPEC, "layerSpecs", "layer specs",
        names(network.nodes()),
        network.nodes().stream()
            .map(node -> CodeBlock.of("new $T($S, $S, $L, $T.of($L), $LL,\n$>$L)$<", Runtime.LAYER_SPEC,
                node.name(), node.decl().kind().kerasName(), longArray(node.shape()), List.class,
                node.inputs().stream().map(input -> CodeBlock.of("$S", input))
                    .collect(CodeBlock.joining(", ")),
                node.paramCount(), LayerCosts.code(costs.of(node))))
            .toList());
    List<Application> applied = network.model().applications().stream()
        .filter(application -> application.parent() == null)
        .toList();
    SpecList applications = new SpecList(Runtime.APPLICATION_SPEC, "applicationSpecs",
        "applications", applied.stream().map(Application::name).toList(),
        applied.stream().map(application -> CodeBlock.of("new $T($S, $S)", Runtime.APPLICATION_SPEC,
            application.name(), application.typeName())).toList());
    // A large model's lists are built by methods of their own: the class initializer is one
    // method, as bounded as any.
    boolean large = inputs.size() + outputs.size() + parameters.size() + frozen.size()
        + layers.size() + applications.size() > CodeParts.BUDGET;
    CodeBlock.Builder spec = CodeBlock.builder().add("new $T(\n$>$>", Runtime.MODEL_SPEC);
    spec.add("$S,\n$S,\n", network.model().name(), Fingerprint.of(network));
    spec.add("$L,\n$L,\n$L,\n", inputs.argument(type, large), outputs.argument(type, large),
        parameters.argument(type, large));
    spec.add("$L,\n$L,\n$L,\nSUMMARY_TABLE,\nDOT",
        OptimizerCode.spec(network.model()),
        frozen.argument(type, large),
        layers.argument(type, large));
    if (!applied.isEmpty()) {
      spec.add(",\n$L", applications.argument(type, large));
    }
    spec.add(")$<$<");
    type.addField(
        FieldSpec.builder(Runtime.MODEL_SPEC, "SPEC", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
            .initializer(spec.build())
            .build());
  }

  private static List<String> names(List<Node> nodes) {
    return nodes.stream().map(Node::name).toList();
  }

  private CodeBlock inputSpec(Node node) {
    DType dtype = node.decl().attributes().enumValue("dtype", DType.class);
    long tokenLimit = tokenLimit(node);
    return tokenLimit > 0
        ? CodeBlock.of("new $T($S, $L, $T.$L, $L)", Runtime.INPUT_SPEC, node.name(),
            longArray(node.shape()), DType.class, dtype, tokenLimit)
        : CodeBlock.of("new $T($S, $L, $T.$L)", Runtime.INPUT_SPEC, node.name(),
            longArray(node.shape()), DType.class, dtype);
  }

  /** The smallest vocabulary among the Embeddings reading an input: its ids must stay below. */
  private long tokenLimit(Node input) {
    long limit = 0;
    for (Node reader : network.consumers(input.name())) {
      if (reader.decl().kind().readsTokenIds()) {
        long vocabulary = reader.decl().attributes().intValue("inputDim");
        limit = limit == 0 ? vocabulary : Math.min(limit, vocabulary);
      }
    }
    return limit;
  }

  private CodeBlock outputSpec(Node node) {
    OutputDecl output = node.decl().output();
    CodeBlock metrics = join(
        output.metrics().stream().map(metric -> CodeBlock.of("$T.$L", Metric.class, metric)).toList(),
        ", ");
    CodeBlock spec = CodeBlock.of(
        "new $T($S, $L, $T.$L, $L, $T.of($L), $L",
        Runtime.OUTPUT_SPEC,
        node.name(),
        longArray(node.shape()),
        Loss.class,
        output.loss(),
        output.weight(),
        List.class,
        metrics,
        output.fromLogits());
    // Label smoothing is rare: written only when set, so that other outputs read as before.
    return output.labelSmoothing() == 0
        ? CodeBlock.of("$L)", spec)
        : CodeBlock.of("$L, $L)", spec, output.labelSmoothing());
  }

  private void addParameterFields(TypeSpec.Builder type, boolean finalFields) {
    Modifier[] modifiers = finalFields
        ? new Modifier[] {Modifier.PRIVATE, Modifier.FINAL}
        : new Modifier[] {Modifier.PRIVATE};
    for (Node node : network.nodes()) {
      for (LayerKind.Constant constant : node.decl().kind().constants(node.decl())) {
        type.addField(
            FieldSpec.builder(constant.type(), names.constant(node, constant.suffix()),
                    Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer(constant.initializer())
                .build());
      }
    }
    for (Node node : network.nodes()) {
      for (ParamDecl param : node.params()) {
        if (network.weightUsers(node.name()).size() > 1 && param.trainable()) {
          type.addField(
              FieldSpec.builder(INDARRAY, names.gradPart(node, param), modifiers)
                  .addJavadoc("$L's $L gradient from one of the layers sharing it, before it is added in.\n",
                      node.name(), param.name())
                  .build());
        }
        type.addField(
            FieldSpec.builder(INDARRAY, names.param(node, param), modifiers)
                .addJavadoc("$L's $L, $L.\n", node.name(), param.name(), param.shape())
                .build());
        if (param.trainable()) {
          type.addField(
              FieldSpec.builder(INDARRAY, names.grad(node, param), modifiers)
                  .addJavadoc("The loss gradient of $L's $L, $L.\n", node.name(), param.name(), param.shape())
                  .build());
        }
      }
    }
  }

  // ---- construction ----

  /** What the constructor does after {@code super}: per layer, bind its parameter views, then initialise. */
  private List<CodeParts.Piece> constructorWork() {
    List<CodeParts.Piece> work = new ArrayList<>();
    int index = 0;
    for (Node node : network.nodes()) {
      CodeBlock.Builder binding = CodeBlock.builder();
      for (ParamDecl param : node.params()) {
        binding.addStatement("$L = parameter($L)", names.param(node, param), index);
        if (param.trainable()) {
          binding.addStatement("$L = gradient($L)", names.grad(node, param), index);
        }
        if (network.weightUsers(node.name()).size() > 1 && param.trainable()) {
          binding.addStatement("$L = $T.zeros(dataType$L)", names.gradPart(node, param),
              Runtime.ND_ARRAYS, dims(param.shape()));
        }
        index++;
      }
      if (!binding.isEmpty()) {
        work.add(new CodeParts.Piece(node.name(), binding.build()));
      }
    }
    for (Node node : network.nodes()) {
      CodeBlock initialization = node.decl().kind().initialization(new NodeCode(node));
      if (!initialization.isEmpty()) {
        work.add(new CodeParts.Piece(node.name(), initialization));
      }
    }
    return work;
  }

  private MethodSpec constructor(TypeSpec.Builder type, List<CodeParts.Piece> work) {
    MethodSpec.Builder constructor =
        MethodSpec.constructorBuilder()
            .addModifiers(Modifier.PRIVATE)
            .addParameter(long.class, "seed")
            .addParameter(Runtime.DATA_TYPE, "dataType")
            .addStatement("super(SPEC, seed, dataType)");
    MethodSpec partSignature = MethodSpec.methodBuilder("constructor")
        .addParameter(Runtime.DATA_TYPE, "dataType")
        .build();
    CodeParts.Split split = CodeParts.split(partSignature, "constructor",
        "Part of the constructor: the parameters of", work);
    constructor.addCode(split.body());
    constructor.addStatement("layers = new Layers()");
    type.addTypes(split.parts());
    return constructor.build();
  }

  private List<MethodSpec> factories() {
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

  private MethodSpec dataFactory() {
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
      method.addJavadoc("@param $L target of output {@code $L}, $L\n", node.name(), node.name(), targetShape(node));
      args.add(node.name());
    }
    return method.addStatement("return new Data($L)", String.join(", ", args)).build();
  }

  // ---- public passes ----

  private List<MethodSpec> predictMethods() {
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
    String inputs = inputArgs();
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

  private MethodSpec activationsMethod(TypeSpec.Builder type) {
    MethodSpec.Builder method = MethodSpec.methodBuilder("activations")
        .addModifiers(Modifier.PUBLIC, Modifier.SYNCHRONIZED)
        .returns(model.nestedClass("Activations"))
        .addJavadoc("Every layer's output for one batch, in inference mode, in new arrays (feature extraction).\n\n");
    addInputParameters(method, true);
    addInputChecks(method);
    method.addStatement("$T $L = buffersFor($L)", buffers, names.local("b"), inputArgs());
    method.addStatement("forward($L)", forwardArgs("false"));
    List<CodeBlock> copies = new ArrayList<>();
    List<String> pieceNames = new ArrayList<>();
    for (Node node : network.nodes()) {
      copies.add(CodeBlock.of("$T.copy($L)", Runtime.ND_ARRAYS, activationOf(node)));
      pieceNames.add(node.name());
    }
    for (BufferActivation extra : bufferActivations()) {
      copies.add(CodeBlock.of("$T.copy($L)", Runtime.ND_ARRAYS,
          bufferField(names.extra(extra.node(), extra.suffix()))));
      pieceNames.add(extra.name());
    }
    List<CodeParts.Piece> stores = new ArrayList<>();
    String outputs = names.local("outputs");
    for (int i = 0; i < copies.size(); i++) {
      stores.add(new CodeParts.Piece(pieceNames.get(i),
          CodeBlock.of("$L[$L] = $L;\n", outputs, i, copies.get(i))));
    }
    if (CodeParts.fits(stores)) {
      method.addStatement("return new Activations(new $T[] {\n$>$L})$<", INDARRAY, join(copies, ",\n"));
      return method.build();
    }
    MethodSpec.Builder partSignature = MethodSpec.methodBuilder("activations")
        .addParameter(buffers, names.local("b"));
    addInputParameters(partSignature, false);
    partSignature.addParameter(com.palantir.javapoet.ArrayTypeName.of(INDARRAY), outputs);
    CodeParts.Split split = CodeParts.split(partSignature.build(), "activations",
        "Copies the outputs of", stores);
    method.addStatement("$T[] $L = new $T[$L]", INDARRAY, outputs, INDARRAY, copies.size())
        .addCode(split.body())
        .addStatement("return new Activations($L)", outputs);
    type.addTypes(split.parts());
    return method.build();
  }

  private MethodSpec trainStep() {
    MethodSpec.Builder method = MethodSpec.methodBuilder("trainStep")
        .addModifiers(Modifier.PUBLIC, Modifier.SYNCHRONIZED)
        .returns(double.class)
        .addJavadoc("One optimizer step on a batch: forward, loss, backward, update.\n")
        .addJavadoc("Buffers are allocated for the first batch of each size and reused after.\n")
        .addJavadoc("A NaN or infinite loss leaves the parameters as they were and throws.\n\n");
    addInputParameters(method, true);
    addTargetParameters(method, true);
    method.addJavadoc("@return the batch's loss before the update, weighted over outputs\n");
    String loss = names.local("loss");
    method.addStatement("double $L = computeGradients($L)", loss, inputArgs() + ", " + targetArgs());
    method.addStatement("applyGradients($L)", loss);
    method.addStatement("return $L", loss);
    return method.build();
  }

  private MethodSpec computeGradients() {
    MethodSpec.Builder method = MethodSpec.methodBuilder("computeGradients")
        .addModifiers(Modifier.PUBLIC, Modifier.SYNCHRONIZED)
        .returns(double.class)
        .addJavadoc("Forward, loss and backward on a batch: fills {@link #gradients()} without changing\n")
        .addJavadoc("the parameters.\n\n");
    addInputParameters(method, true);
    addTargetParameters(method, true);
    method.addJavadoc("@return the batch's loss, weighted over outputs\n");
    addInputChecks(method);
    String first = names.input(network.inputs().get(0));
    List<Node> outputs = network.outputs();
    for (int i = 0; i < outputs.size(); i++) {
      String target = names.target(outputs.get(i));
      method.addStatement("$L = checkedTarget($L, $L, $L.size(0))", target, i, target, first);
    }
    method.addStatement("$T $L = buffersFor($L)", buffers, names.local("b"), inputArgs());
    method.addStatement("forward($L)", forwardArgs("true"));
    method.addStatement("losses($L, $L)", names.local("b"), targetArgs());
    method.addStatement("backward($L, $L)", names.local("b"), inputArgs());
    method.addStatement("return $L", lossWithPenalties("addWeightPenalties()", names.local("b")));
    return method.build();
  }

  /**
   * For each model applied as a layer, {@code loadEncoder(path)} and {@code saveEncoder(path)}:
   * a checkpoint of that model into its application's weights and back out (transfer learning).
   */
  private List<MethodSpec> transferMethods() {
    List<MethodSpec> methods = new ArrayList<>();
    for (Application application : network.model().applications()) {
      if (!application.isModel() || application.parent() != null) {
        continue;
      }
      ClassName part = ClassName.get(ClassName.get(application.block()).packageName(),
          generatedName(application.block()));
      String first = application.locals().get(application.members().indexOf(application.name()));
      String suffix = Naming.capitalize(application.name());
      methods.add(MethodSpec.methodBuilder("load" + suffix)
          .addModifiers(Modifier.PUBLIC)
          .addException(java.io.IOException.class)
          .addParameter(java.nio.file.Path.class, "path")
          .addJavadoc("Loads the weights of a checkpoint saved by {@link $T#save} into $L, the application of\n", part,
              application.name())
          .addJavadoc("{@link $T} in this model (transfer learning); its optimizer state stays behind.\n",
              ClassName.get(application.block()))
          .addStatement("$T part = $T.create(0, dataType())", part, part)
          .addStatement("part.load(path)")
          .addStatement("$T.transfer(part, this, $S, $S, true)", Runtime.LAYER_TRANSFER, application.name(), first)
          .build());
      methods.add(MethodSpec.methodBuilder("save" + suffix)
          .addModifiers(Modifier.PUBLIC)
          .addException(java.io.IOException.class)
          .addParameter(java.nio.file.Path.class, "path")
          .addJavadoc("Saves the weights of $L as a checkpoint that {@link $T#load} reads.\n", application.name(), part)
          .addStatement("$T part = $T.create(0, dataType())", part, part)
          .addStatement("$T.transfer(part, this, $S, $S, false)", Runtime.LAYER_TRANSFER, application.name(), first)
          .addStatement("part.save(path)")
          .build());
    }
    return methods;
  }

  /** The simple name of the class Kiln generates for a {@code @Model} interface. */
  private static String generatedName(javax.lang.model.element.TypeElement type) {
    javax.lang.model.element.AnnotationMirror model =
        dev.kiln.processor.parse.ModelParser.mirror(type, dev.kiln.Model.class);
    for (var entry : model.getElementValues().entrySet()) {
      if (entry.getKey().getSimpleName().contentEquals("className")
          && !String.valueOf(entry.getValue().getValue()).isEmpty()) {
        return String.valueOf(entry.getValue().getValue());
      }
    }
    return type.getSimpleName() + "Model";
  }

  private MethodSpec layersAccessor() {
    return MethodSpec.methodBuilder("layers")
        .addModifiers(Modifier.PUBLIC)
        .returns(model.nestedClass("Layers"))
        .addJavadoc("Each layer's parameters, live views of the flat parameter buffer.\n")
        .addStatement("return layers")
        .build();
  }

  // ---- the step ----

  private MethodSpec forward(TypeSpec.Builder type) {
    MethodSpec.Builder method = MethodSpec.methodBuilder("forward")
        .addModifiers(Modifier.PRIVATE)
        .addJavadoc("The forward pass, layer by layer in execution order.\n")
        .addParameter(buffers, names.local("b"));
    addInputParameters(method, false);
    method.addParameter(boolean.class, names.local("training"));
    List<CodeParts.Piece> layers = new ArrayList<>();
    for (Node node : network.nodes()) {
      if (node.decl().kind().isInput()) {
        continue;
      }
      NodeCode code = new NodeCode(node);
      Activation activation = plan.activation(node);
      layers.add(new CodeParts.Piece(node.name(), CodeBlock.builder()
          .add("// $L: $L$L -> $L\n", node.name(), node.decl().kind().kerasName(),
              activation == Activation.LINEAR ? "" : ", " + activation.name().toLowerCase(),
              node.shape().withBatch())
          .add(node.decl().kind().forward(code))
          .add(ActivationCode.forward(activation, code.output(), bufferField(names.output(node))))
          .build()));
    }
    return inParts(type, method, "forward", "The forward pass of", layers);
  }

  /** {@code method} with the pieces as its body, calling parts added to {@code type} if they did not fit. */
  private static MethodSpec inParts(TypeSpec.Builder type,
      MethodSpec.Builder method, String name, String purpose, List<CodeParts.Piece> pieces) {
    CodeParts.Split split = CodeParts.split(method.build(), name, purpose, pieces);
    type.addTypes(split.parts());
    return method.addCode(split.body()).build();
  }

  private MethodSpec losses() {
    MethodSpec.Builder method = MethodSpec.methodBuilder("losses")
        .addModifiers(Modifier.PRIVATE)
        .addJavadoc("Each output's loss, and the gradient that starts the backward pass.\n")
        .addParameter(buffers, names.local("b"));
    addTargetParameters(method, false);
    List<Node> outputs = network.outputs();
    for (int i = 0; i < outputs.size(); i++) {
      Node node = outputs.get(i);
      OutputDecl output = node.decl().output();
      method.addCode("// $L: $L\n", node.name(), LossCode.describe(output, plan.activation(node)));
      method.addStatement(
          "setOutputLoss($L, $L)",
          i,
          LossCode.call(
              output,
              bufferField(names.output(node)),
              CodeBlock.of("$L", names.target(node)),
              CodeBlock.of("lossWeight($L)", i),
              bufferField(names.gradient(node)),
              CodeBlock.of("labelSmoothing($L)", i)));
    }
    return method.build();
  }

  private MethodSpec backward(TypeSpec.Builder type) {
    MethodSpec.Builder method = MethodSpec.methodBuilder("backward")
        .addModifiers(Modifier.PRIVATE)
        .addJavadoc("The backward pass, in reverse execution order; every parameter gradient is written.\n")
        .addParameter(buffers, names.local("b"));
    addInputParameters(method, false);
    List<Node> reversed = new ArrayList<>(network.nodes());
    java.util.Collections.reverse(reversed);
    List<CodeParts.Piece> layers = new ArrayList<>();
    for (Node node : reversed) {
      if (node.decl().kind().isInput()) {
        continue;
      }
      NodeCode code = new NodeCode(node);
      CodeBlock.Builder layer = CodeBlock.builder().add("// $L\n", node.name());
      layer.add(ActivityCode.gradient(plan, node, bufferField(names.output(node)), code.outputGradient()));
      if (!plan.lossIsFused(node)) {
        layer.add(ActivationCode.backward(
            plan.activation(node), code.output(), bufferField(names.output(node)), code.outputGradient()));
      }
      layer.add(node.decl().kind().backward(code));
      if (!isFirstWeightGradientWriter(node)) {
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
        if (plan.hasGradient(input) && !plan.isFirstWrite(input, write)) {
          layer.addStatement("$L.addi($L)", bufferField(names.gradient(input)),
              bufferField(names.gradientPart(input, plan.partIndex(input, write))));
        }
      }
      layers.add(new CodeParts.Piece(node.name(), layer.build()));
    }
    return inParts(type, method, "backward", "The backward pass of", layers);
  }

  private MethodSpec buffersFor() {
    MethodSpec.Builder method = MethodSpec.methodBuilder("buffersFor")
        .addModifiers(Modifier.PRIVATE)
        .returns(buffers)
        .addJavadoc("The buffers for the shape of this batch, allocated on first use.\n");
    addInputParameters(method, false);
    String first = names.input(network.inputs().get(0));
    List<Node> variable = variableLengthInputs();
    if (variable.isEmpty()) {
      method.addStatement(
          "current = buffers.get($L.size(0), batchSize -> new Buffers(dataType(), batchSize$L))", first,
          memory.isPlanned() ? ", true" : "");
    } else {
      String steps = names.local("steps");
      method.addStatement("long $L = -1", steps);
      for (Node input : variable) {
        method.addStatement("$L = steps($L, $S, $L)", steps, steps, input.name(), names.input(input));
      }
      method.addStatement(
          "current = buffers.get($L.size(0), $L, ($L, $L) -> new Buffers(dataType(), $L, $L))",
          first, steps, names.local("batchSize"), names.local("length"), names.local("batchSize"),
          names.local("length"));
    }
    return method.addStatement("return current").build();
  }

  private MethodSpec bufferPlan() {
    return MethodSpec.methodBuilder("bufferPlan")
        .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .returns(Runtime.BUFFER_PLAN)
        .addJavadoc("The batch buffers' memory as planned at build time, in values per sample; the arenas'\n"
            + "tables are on {@code Buffers.TRAINING_ARENA} and {@code Buffers.INFERENCE_ARENA}.\n")
        .addStatement("return new $T($LL, Buffers.TRAINING_ARENA, $LL, Buffers.INFERENCE_ARENA, $LL)",
            Runtime.BUFFER_PLAN, memory.keptValues(), memory.gradientFloor(), memory.inferenceFloor())
        .build();
  }

  private MethodSpec inferenceBuffersFor() {
    MethodSpec.Builder method = MethodSpec.methodBuilder("inferenceBuffersFor")
        .addModifiers(Modifier.PRIVATE)
        .returns(buffers)
        .addJavadoc("The prediction buffers for the shape of this batch, allocated on first use.\n");
    addInputParameters(method, false);
    method.addStatement(
        "current = inferenceBuffers.get($L.size(0), batchSize -> new Buffers(dataType(), batchSize, false))",
        names.input(network.inputs().get(0)));
    return method.addStatement("return current").build();
  }

  /** The inputs whose steps axis has a variable length. */
  private List<Node> variableLengthInputs() {
    return network.inputs().stream()
        .filter(node -> node.shape().rank() > 0 && node.shape().dim(0) == Shape.VARIABLE)
        .toList();
  }

  /**
   * The loss a pass returns: the outputs' weighted losses, plus the weight regularizers' penalty
   * ({@code weightPenalty}, which in a training pass also adds its gradient) and the activity
   * regularizers' on the buffers {@code b}, where the model has them.
   */
  private String lossWithPenalties(String weightPenalty, String b) {
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

  private List<MethodSpec> batchHooks() {
    String inputs = indexed("inputs", network.inputs().size());
    String targets = indexed("targets", network.outputs().size());
    MethodSpec train = hook("trainOnBatch", TypeName.DOUBLE, true)
        .addStatement("return trainStep($L, $L)", inputs, targets)
        .build();
    MethodSpec test = hook("testOnBatch", TypeName.DOUBLE, true)
        .addStatement("$T b = buffersFor($L)", buffers, inputs)
        .addStatement("forward(b, $L, false)", inputs)
        .addStatement("losses(b, $L)", targets)
        .addStatement("return $L", lossWithPenalties("weightPenalties()", "b"))
        .build();
    MethodSpec predict = hook("predictOnBatch", TypeName.VOID, false)
        .addStatement("forward($L($L), $L, false)",
            memory.isPlanned() ? "inferenceBuffersFor" : "buffersFor", inputs, inputs)
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
        .returns(INDARRAY)
        .addParameter(int.class, "index")
        .addCode(cases.build())
        .build();
    return List.of(train, test, predict, lastOutput);
  }

  private MethodSpec.Builder hook(String name, TypeName returns, boolean withTargets) {
    // One model's buffers serve one pass at a time: calls from several threads take turns.
    MethodSpec.Builder method = MethodSpec.methodBuilder(name)
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PROTECTED, Modifier.SYNCHRONIZED)
        .returns(returns)
        .addParameter(com.palantir.javapoet.ArrayTypeName.of(INDARRAY), "inputs");
    if (withTargets) {
      method.addParameter(com.palantir.javapoet.ArrayTypeName.of(INDARRAY), "targets");
    }
    return method;
  }

  // ---- nested types ----

  private TypeSpec buffersClass() {
    TypeSpec.Builder type = TypeSpec.classBuilder(buffers)
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("The activations and gradients of one batch size, allocated once and reused.\n");
    MethodSpec.Builder constructor = MethodSpec.constructorBuilder()
        .addParameter(Runtime.DATA_TYPE, "dataType")
        .addParameter(long.class, "batchSize");
    if (!variableLengthInputs().isEmpty()) {
      constructor.addParameter(long.class, "steps");
    }
    if (memory.isPlanned()) {
      constructor.addJavadoc("@param training whether for training (the forward pass keeps every output, the\n"
          + "    gradients share {@link #TRAINING_ARENA}) or for predictions (the outputs share\n"
          + "    {@link #INFERENCE_ARENA}, there are no gradients)\n");
      constructor.addParameter(boolean.class, "training");
      type.addField(arenaConstant("TRAINING_ARENA", memory.trainingArena(), ArenaTable.training(memory)));
      type.addField(arenaConstant("INFERENCE_ARENA", memory.inferenceArena(), ArenaTable.inference(memory)));
      type.addField(FieldSpec.builder(INDARRAY, "arena", Modifier.FINAL)
          .addJavadoc("The memory the buffers placed by {@link #TRAINING_ARENA} or {@link #INFERENCE_ARENA} share.\n")
          .build());
      constructor.addStatement("arena = $T.zeros(dataType, batchSize * (training ? TRAINING_ARENA : INFERENCE_ARENA))",
          Runtime.ND_ARRAYS);
    }
    List<FieldSpec.Builder> fields = new ArrayList<>();
    List<CodeParts.Piece> allocations = new ArrayList<>();
    for (Node node : network.nodes()) {
      if (node.decl().kind().isInput()) {
        continue;
      }
      CodeBlock.Builder allocation = CodeBlock.builder();
      addBuffer(fields, allocation, names.output(node), node, "$L's output");
      if (plan.hasPreActivation(node)) {
        addBuffer(fields, allocation, names.preActivation(node), node, "$L's output before its activation");
      }
      if (plan.hasGradient(node)) {
        addBuffer(fields, allocation, names.gradient(node), node, "The loss gradient of $L's output");
      }
      for (int part = 0; part < plan.gradientParts(node); part++) {
        addBuffer(fields, allocation, names.gradientPart(node, part), node,
            "One reader's share of $L's gradient, before it is added in");
      }
      for (LayerKind.ExtraBuffer extra : node.decl().kind().extraBuffers(node)) {
        String field = names.extra(node, extra.suffix());
        fields.add(FieldSpec.builder(INDARRAY, field)
            .addJavadoc("$L's $L, $L.\n", node.name(), extra.suffix(),
                extra.perSample() ? batchShape(extra.shape()) : extra.shape().toString()));
        allocation.addStatement("$L = $T.zeros(dataType$L$L)", field, Runtime.ND_ARRAYS,
            extra.perSample() ? ", batchSize" : "", dims(extra.shape()));
      }
      allocations.add(new CodeParts.Piece(node.name(), allocation.build()));
    }
    CodeParts.Split split = CodeParts.split(constructor.build(), "allocate",
        "Allocates the buffers of", allocations);
    // Fields assigned in the constructor's parts cannot be final.
    for (FieldSpec.Builder field : fields) {
      type.addField(split.isSplit() ? field.build() : field.addModifiers(Modifier.FINAL).build());
    }
    return type.addMethod(constructor.addCode(split.body()).build())
        .addTypes(split.parts())
        .build();
  }

  private static FieldSpec arenaConstant(String name, long length, CodeBlock table) {
    // An empty arena still gets one value: ND4J makes no array of length 0.
    return FieldSpec.builder(long.class, name, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc(table)
        .initializer("$LL", Math.max(length, 1))
        .build();
  }

  /**
   * A buffer's field and its allocation: memory of its own, a view into the arena where the plan
   * placed it, or, in a model with a plan, null where the other mode places it and this one has no
   * use for it (gradients in predictions).
   */
  private void addBuffer(List<FieldSpec.Builder> fields, CodeBlock.Builder allocation, String field,
      Node node, String doc) {
    fields.add(FieldSpec.builder(INDARRAY, field)
        .addJavadoc(doc + ", $L.\n", node.name(), batchShape(node.shape())));
    if (!memory.isPlanned()) {
      allocation.addStatement("$L = $L", field, ownMemory(node));
      return;
    }
    Long inTraining = memory.trainingOffset(field);
    Long inInference = memory.inferenceOffset(field);
    allocation.addStatement("$L = training ? $L : $L", field,
        inTraining != null ? arenaView(node, inTraining) : ownMemory(node),
        inInference != null ? arenaView(node, inInference) : CodeBlock.of("null"));
  }

  private CodeBlock ownMemory(Node node) {
    return CodeBlock.of("$T.zeros(dataType, batchSize$L)", Runtime.ND_ARRAYS, dims(node.shape()));
  }

  private CodeBlock arenaView(Node node, long offset) {
    return CodeBlock.of("$T.view(arena, batchSize * $LL, batchSize$L)", Runtime.ND_ARRAYS, offset,
        dims(node.shape()));
  }

  private TypeSpec dataRecord() {
    MethodSpec.Builder components = MethodSpec.constructorBuilder();
    TypeSpec.Builder type = TypeSpec.recordBuilder(model.nestedClass("Data"))
        .addModifiers(Modifier.PUBLIC)
        .addSuperinterface(Runtime.MODEL_DATA)
        .addJavadoc("Inputs and targets, named as the layers are; make one with {@link #data}.\n");
    List<String> inputs = new ArrayList<>();
    List<String> targets = new ArrayList<>();
    for (Node node : network.inputs()) {
      components.addParameter(INDARRAY, node.name());
      inputs.add(node.name());
      type.addMethod(accessor(node.name(), "Input {@code " + node.name() + "}, " + node.shape().withBatch() + "."));
    }
    for (Node node : network.outputs()) {
      components.addParameter(INDARRAY, node.name());
      targets.add(node.name());
      type.addMethod(accessor(node.name(), "Target of output {@code " + node.name() + "}, " + targetShape(node) + "."));
    }
    type.recordConstructor(components.build());
    type.addMethod(MethodSpec.methodBuilder("inputArrays")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .returns(com.palantir.javapoet.ArrayTypeName.of(INDARRAY))
        .addStatement("return new $T[] {$L}", INDARRAY, String.join(", ", inputs))
        .build());
    type.addMethod(MethodSpec.methodBuilder("targetArrays")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .returns(com.palantir.javapoet.ArrayTypeName.of(INDARRAY))
        .addStatement("return new $T[] {$L}", INDARRAY, String.join(", ", targets))
        .build());
    return type.build();
  }

  private TypeSpec outputsRecord() {
    MethodSpec.Builder components = MethodSpec.constructorBuilder();
    TypeSpec.Builder type = TypeSpec.recordBuilder(model.nestedClass("Outputs"))
        .addModifiers(Modifier.PUBLIC)
        .addJavadoc("The model's outputs, as {@link #predict} returns them.\n");
    for (Node node : network.outputs()) {
      components.addParameter(INDARRAY, node.name());
      type.addMethod(accessor(node.name(), describe(node) + "."));
    }
    return type.recordConstructor(components.build()).build();
  }

  /**
   * An extra buffer that is also an activation ({@link LayerKind#activationBuffers}).
   *
   * @param name as {@code get} finds it, {@code attention/scores}
   */
  private record BufferActivation(Node node, String suffix, String name, Shape shape) {}

  private List<BufferActivation> bufferActivations() {
    List<BufferActivation> result = new ArrayList<>();
    for (Node node : network.nodes()) {
      List<String> suffixes = node.decl().kind().activationBuffers();
      for (LayerKind.ExtraBuffer extra : node.decl().kind().extraBuffers(node)) {
        if (suffixes.contains(extra.suffix())) {
          result.add(new BufferActivation(node, extra.suffix(),
              node.name() + "/" + extra.suffix().toLowerCase(), extra.shape()));
        }
      }
    }
    return result;
  }

  /** The branches of {@code get} for the buffer activations, which follow the layers' outputs. */
  private CodeBlock bufferActivationNames(int first) {
    CodeBlock.Builder code = CodeBlock.builder();
    List<BufferActivation> extras = bufferActivations();
    for (int i = 0; i < extras.size(); i++) {
      code.beginControlFlow("if (layer.equals($S))", extras.get(i).name())
          .addStatement("return outputs[$L]", first + i)
          .endControlFlow();
    }
    return code.build();
  }

  /** A class over an array rather than a record, so that models of any size fit in it. */
  private TypeSpec activationsRecord() {
    ClassName activations = model.nestedClass("Activations");
    TypeSpec.Builder type = TypeSpec.classBuilder(activations)
        .addModifiers(Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("Every layer's output, as {@link #activations} returns them.\n")
        .addField(com.palantir.javapoet.ArrayTypeName.of(INDARRAY), "outputs", Modifier.PRIVATE,
            Modifier.FINAL)
        .addMethod(MethodSpec.constructorBuilder()
            .addModifiers(Modifier.PRIVATE)
            .addParameter(com.palantir.javapoet.ArrayTypeName.of(INDARRAY), "outputs")
            .addStatement("this.outputs = outputs")
            .build());
    List<Node> nodes = network.nodes();
    java.util.Map<String, Integer> index = new java.util.HashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      index.put(nodes.get(i).name(), i);
    }
    BlockAccessors blocks = new BlockAccessors(network, activations, "Activations",
        layer -> INDARRAY, node -> CodeBlock.of("outputs[$L]", index.get(node.name())));
    for (int i = 0; i < nodes.size(); i++) {
      Node node = nodes.get(i);
      if (blocks.isInsideApplication(node)) {
        continue;
      }
      type.addMethod(MethodSpec.methodBuilder(node.name())
          .addModifiers(Modifier.PUBLIC)
          .returns(INDARRAY)
          .addJavadoc("$L.\n", describe(node))
          .addStatement("return outputs[$L]", i)
          .build());
    }
    java.util.Set<String> taken = new java.util.HashSet<>(index.keySet());
    List<BufferActivation> extras = bufferActivations();
    for (int i = 0; i < extras.size(); i++) {
      BufferActivation extra = extras.get(i);
      if (blocks.isInsideApplication(extra.node())) {
        continue;
      }
      String accessor = extra.node().name() + extra.suffix();
      while (!taken.add(accessor)) {
        accessor = accessor + "_";
      }
      type.addMethod(MethodSpec.methodBuilder(accessor)
          .addModifiers(Modifier.PUBLIC)
          .returns(INDARRAY)
          .addJavadoc("$L: $L of $L, $L.\n", extra.name(), extra.suffix().toLowerCase(),
              extra.node().name(), batchShape(extra.shape()))
          .addStatement("return outputs[$L]", nodes.size() + i)
          .build());
    }
    for (Application application : blocks.topLevel()) {
      TypeName record = blocks.typeOf(application);
      type.addMethod(MethodSpec.methodBuilder(application.name())
          .addModifiers(Modifier.PUBLIC)
          .returns(record)
          .addJavadoc("The outputs of the layers of $L, an application of $L.\n", application.name(),
              application.blockName())
          .addStatement("return $L", blocks.valueOf(application))
          .build());
    }
    type.addMethod(MethodSpec.methodBuilder("get")
        .addModifiers(Modifier.PUBLIC)
        .returns(INDARRAY)
        .addParameter(String.class, "layer")
        .addJavadoc("The output of the layer of this name, {@code stage3/conv2} inside a block's application\n")
        .addJavadoc("(Keras' {@code model.get_layer(name).output}).\n")
        .addCode(bufferActivationNames(nodes.size()))
        .beginControlFlow("for (int i = 0; i < SPEC.layers().size(); i++)")
        .beginControlFlow("if (SPEC.layers().get(i).name().equals(layer))")
        .addStatement("return outputs[i]")
        .endControlFlow()
        .endControlFlow()
        .addStatement("throw new $T($S + layer + $S)", IllegalArgumentException.class,
            "no layer named ", "; the layers are those of summary(true)")
        .build());
    return type.addTypes(blocks.types()).build();
  }

  /** An inner class that reads the model's parameter fields, so models of any size fit. */
  private TypeSpec layersClass() {
    TypeSpec.Builder type = TypeSpec.classBuilder(model.nestedClass("Layers"))
        .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
        .addJavadoc("The parameters of each layer that has any, as {@link #layers()} returns them.\n");
    MethodSpec.Builder constructor = MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE);
    List<FieldSpec.Builder> fields = new ArrayList<>();
    List<View> views = new ArrayList<>();
    BlockAccessors blocks = new BlockAccessors(network, model.nestedClass("Layers"), "Layers",
        layer -> layer.kind().parametersType(),
        // A layer using another's weights has them under the owner's name, as outside blocks.
        node -> node.sharesWeights()
            ? CodeBlock.of("null")
            : node.decl().kind().parametersValue(new NodeCode(node, true)));
    for (Application application : blocks.topLevel()) {
      TypeName record = blocks.typeOf(application);
      if (record == null || application.weightsOf() != null) {
        continue;
      }
      fields.add(FieldSpec.builder(record, application.name(), Modifier.PRIVATE));
      views.add(new View(application.name(), blocks.valueOf(application)));
      type.addMethod(MethodSpec.methodBuilder(application.name())
          .addModifiers(Modifier.PUBLIC)
          .returns(record)
          .addJavadoc("The parameters of the layers of $L, an application of $L.\n", application.name(),
              application.blockName())
          .addStatement("return $L", application.name())
          .build());
    }
    type.addTypes(blocks.types());
    for (Node node : layersWithParameters()) {
      TypeName parametersType = node.decl().kind().parametersType();
      fields.add(FieldSpec.builder(parametersType, node.name(), Modifier.PRIVATE));
      views.add(new View(node.name(), node.decl().kind().parametersValue(new NodeCode(node, true))));
      String shapes = node.params().stream()
          .map(param -> param.name() + " " + param.shape())
          .collect(Collectors.joining(", "));
      type.addMethod(MethodSpec.methodBuilder(node.name())
          .addModifiers(Modifier.PUBLIC)
          .returns(parametersType)
          .addJavadoc("$L: $L; $L.\n", node.name(), node.decl().kind().kerasName(), shapes)
          .addStatement("return $L", node.name())
          .build());
    }
    List<CodeParts.Piece> assignments = views.stream()
        .map(view -> view.assignment(CodeBlock.of("this")))
        .toList();
    if (!CodeParts.fits(assignments)) {
      // In the parts, nested classes, {@code this} is the part: name the fields through Layers.
      assignments = views.stream()
          .map(view -> view.assignment(CodeBlock.of("$T.this", model.nestedClass("Layers"))))
          .toList();
    }
    CodeParts.Split split =
        CodeParts.split(constructor.build(), "views", "The parameter views of", assignments);
    // Fields assigned in the constructor's parts cannot be final.
    for (FieldSpec.Builder field : fields) {
      type.addField(split.isSplit() ? field.build() : field.addModifiers(Modifier.FINAL).build());
    }
    return type.addMethod(constructor.addCode(split.body()).build()).addTypes(split.parts()).build();
  }

  /** A field of the Layers class and the view it holds. */
  private record View(String field, CodeBlock value) {
    CodeParts.Piece assignment(CodeBlock owner) {
      return new CodeParts.Piece(field, CodeBlock.of("$L.$L = $L;\n", owner, field, value));
    }
  }

  // ---- helpers ----


  /** The names and buffers one layer's kernels are called with. */
  private final class NodeCode implements LayerCode {
    private final Node node;
    /** Whether parameter fields are named through the model ({@code MlpModel.this.x}). */
    private final boolean qualified;

    NodeCode(Node node) {
      this(node, false);
    }

    NodeCode(Node node, boolean qualified) {
      this.node = node;
      this.qualified = qualified;
    }

    @Override
    public LayerDecl layer() {
      return node.decl();
    }

    @Override
    public List<Shape> inputShapes() {
      return node.inputShapes();
    }

    @Override
    public Shape shape() {
      return node.shape();
    }

    @Override
    public CodeBlock input(int index) {
      return activationOf(network.node(node.inputs().get(index)));
    }

    @Override
    public CodeBlock output() {
      return bufferField(plan.hasPreActivation(node) ? names.preActivation(node) : names.output(node));
    }

    @Override
    public CodeBlock param(String name) {
      CodeBlock field = paramOrNull(network.node(node.weightsOwner()), name);
      return qualified && !field.toString().equals("null")
          ? CodeBlock.of("$T.this.$L", model, field)
          : field;
    }

    @Override
    public CodeBlock grad(String name) {
      Node owner = network.node(node.weightsOwner());
      for (ParamDecl param : owner.params()) {
        if (param.name().equals(name) && param.trainable()) {
          return CodeBlock.of("$L", isFirstWeightGradientWriter(node)
              ? names.grad(owner, param)
              : names.gradPart(owner, param));
        }
      }
      return CodeBlock.of("null");
    }

    @Override
    public CodeBlock outputGradient() {
      return bufferField(names.gradient(node));
    }

    @Override
    public CodeBlock inputGradient(int index) {
      Node input = network.node(node.inputs().get(index));
      if (!plan.hasGradient(input)) {
        return CodeBlock.of("null");
      }
      StepPlan.GradientWrite write = new StepPlan.GradientWrite(node, index);
      return bufferField(plan.isFirstWrite(input, write)
          ? names.gradient(input)
          : names.gradientPart(input, plan.partIndex(input, write)));
    }

    @Override
    public boolean needsInputGradient(int index) {
      return plan.hasGradient(network.node(node.inputs().get(index)));
    }

    @Override
    public CodeBlock training() {
      return CodeBlock.of("$L", names.local("training"));
    }

    @Override
    public CodeBlock random() {
      return CodeBlock.of("noise()");
    }

    @Override
    public CodeBlock constant(String suffix) {
      return CodeBlock.of("$L", names.constant(node, suffix));
    }

    @Override
    public CodeBlock buffer(String suffix) {
      return bufferField(names.extra(node, suffix));
    }
  }

  /**
   * Whether {@code node} is the first, in backward order, of the layers using its weights to
   * write their gradient; the others write a scratch array and add it.
   */
  private boolean isFirstWeightGradientWriter(Node node) {
    List<Node> users = network.weightUsers(node.weightsOwner());
    return users.get(users.size() - 1) == node;
  }

  private CodeBlock paramOrNull(Node node, String name) {
    for (ParamDecl param : node.params()) {
      if (param.name().equals(name)) {
        return CodeBlock.of("$L", names.param(node, param));
      }
    }
    return CodeBlock.of("null");
  }

  /** An input's array inside the passes, or a layer's output buffer. */
  private CodeBlock activationOf(Node node) {
    return node.decl().kind().isInput()
        ? CodeBlock.of("$L", names.input(node))
        : bufferField(names.output(node));
  }

  /** {@code b.field}: a field of the Buffers instance. */
  private CodeBlock bufferField(String field) {
    return CodeBlock.of("$L.$L", names.local("b"), field);
  }

  private List<Node> layersWithParameters() {
    return network.nodes().stream()
        .filter(node -> !node.params().isEmpty() && node.decl().kind().parametersType() != null)
        .filter(node -> !network.model().isInsideApplication(node.name()))
        .toList();
  }

  private void addInputParameters(MethodSpec.Builder method, boolean document) {
    for (Node node : network.inputs()) {
      method.addParameter(INDARRAY, names.input(node));
      if (document) {
        method.addJavadoc("@param $L $L\n", names.input(node), node.shape().withBatch());
      }
    }
  }

  private void addTargetParameters(MethodSpec.Builder method, boolean document) {
    for (Node node : network.outputs()) {
      method.addParameter(INDARRAY, names.target(node));
      if (document) {
        method.addJavadoc("@param $L target of output {@code $L}, $L\n", names.target(node), node.name(), targetShape(node));
      }
    }
  }

  private void addInputChecks(MethodSpec.Builder method) {
    List<Node> inputs = network.inputs();
    String first = names.input(inputs.get(0));
    method.addStatement("$L = checkedInput(0, $L)", first, first);
    for (int i = 1; i < inputs.size(); i++) {
      String name = names.input(inputs.get(i));
      method.addStatement("$L = checkedInput($L, $L, $L.size(0))", name, i, name, first);
    }
  }

  private String forwardArgs(String training) {
    return names.local("b") + ", " + inputArgs() + ", " + training;
  }

  private String inputArgs() {
    return network.inputs().stream().map(names::input).collect(Collectors.joining(", "));
  }

  private String targetArgs() {
    return network.outputs().stream().map(names::target).collect(Collectors.joining(", "));
  }

  private static String indexed(String array, int count) {
    List<String> items = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      items.add(array + "[" + i + "]");
    }
    return String.join(", ", items);
  }

  private static MethodSpec accessor(String name, String javadoc) {
    return MethodSpec.methodBuilder(name)
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .returns(INDARRAY)
        .addJavadoc("$L\n", javadoc)
        .addStatement("return $L", name)
        .build();
  }

  /** {@code hidden2: Dense, relu, (None, 216)}. */
  private String describe(Node node) {
    Activation activation = plan.activation(node);
    return node.name() + ": " + node.decl().kind().kerasName()
        + (activation == Activation.LINEAR ? "" : ", " + activation.name().toLowerCase())
        + ", " + node.shape().withBatch();
  }

  private static String targetShape(Node node) {
    Loss loss = node.decl().output().loss();
    if (loss == Loss.SPARSE_CATEGORICAL_CROSSENTROPY) {
      List<Integer> dims = node.shape().dims();
      return new Shape(dims.subList(0, dims.size() - 1)).withBatch() + " class indices";
    }
    return node.shape().withBatch();
  }

  private static String batchShape(Shape shape) {
    return shape.withBatch().replaceFirst("\\(None", "(batch").replace("None", "steps");
  }

  /** {@code , 3, 3, 64}: a shape's sizes as trailing arguments; a variable one is {@code steps}. */
  private static String dims(Shape shape) {
    return shape.dims().stream()
        .map(dim -> ", " + (dim == Shape.VARIABLE ? "steps" : dim.toString()))
        .collect(Collectors.joining());
  }

  private static CodeBlock longArray(Shape shape) {
    return CodeBlock.of("new long[] {$L}",
        shape.dims().stream().map(Object::toString).collect(Collectors.joining(", ")));
  }

  private static CodeBlock join(List<CodeBlock> blocks, String separator) {
    return CodeBlock.join(blocks, separator);
  }

  private static String escapeHtml(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("@", "&#64;");
  }
}
