package dev.kiln.processor.emit;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.kiln.processor.layers.LayerKind;
import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The nested {@code Buffers} class, a batch size's activations and gradients placed as the memory
 * plan says, and the model's methods that find or make them.
 */
final class BuffersWriter {

  private final ModelContext context;
  private final Network network;
  private final Naming names;
  private final MemoryPlan memory;

  BuffersWriter(ModelContext context) {
    this.context = context;
    this.network = context.network;
    this.names = context.names;
    this.memory = context.memory;
  }

  TypeSpec buffersClass() {
    StepPlan plan = context.plan;
    TypeSpec.Builder type = TypeSpec.classBuilder(context.buffers)
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("The activations and gradients of one batch size, allocated once and reused.\n");
    MethodSpec.Builder constructor = MethodSpec.constructorBuilder()
        .addParameter(Runtime.DATA_TYPE, "dataType")
        .addParameter(long.class, "batchSize");
    if (!context.variableLengthInputs().isEmpty()) {
      constructor.addParameter(long.class, "steps");
    }
    if (memory.isPlanned()) {
      constructor.addJavadoc("@param training whether for training (the forward pass keeps every output, the\n"
          + "    gradients share {@link #TRAINING_ARENA}) or for predictions (the outputs share\n"
          + "    {@link #INFERENCE_ARENA}, there are no gradients)\n"
          + "@param other the other mode's buffers for this batch size, or null: a training step and a\n"
          + "    prediction never run at once, so these take its arena when it is large enough\n");
      constructor.addParameter(boolean.class, "training");
      constructor.addParameter(context.buffers, "other");
      type.addField(arenaConstant("TRAINING_ARENA", memory.trainingArena(), ArenaTable.training(memory)));
      type.addField(arenaConstant("INFERENCE_ARENA", memory.inferenceArena(), ArenaTable.inference(memory)));
      type.addField(FieldSpec.builder(ModelContext.INDARRAY, "arena", Modifier.FINAL)
          .addJavadoc("The memory the buffers placed by {@link #TRAINING_ARENA} or {@link #INFERENCE_ARENA} share.\n")
          .build());
      constructor.addStatement("arena = $T.sharedOrZeros(dataType, batchSize * (training ? TRAINING_ARENA : INFERENCE_ARENA),\n"
          + "    other == null ? null : other.arena)", Runtime.ND_ARRAYS);
    }
    if (context.buffersKnowTheirMode()) {
      type.addField(FieldSpec.builder(boolean.class, "training", Modifier.FINAL)
          .addJavadoc("Whether for training (and {@code activations(...)}): a prediction may leave an output\n"
              + "that only the next layer reads unwritten, where that layer computes it as it reads it,\n"
              + "and activation buffers that only {@code activations(...)} reads.\n")
          .build());
      constructor.addStatement("this.training = training");
    }
    List<FieldSpec.Builder> fields = new ArrayList<>();
    List<CodeParts.Piece> allocations = new ArrayList<>();
    for (Node node : network.nodes()) {
      if (node.decl().kind().isInput()) {
        continue;
      }
      CodeBlock.Builder allocation = CodeBlock.builder();
      addOutput(fields, allocation, node);
      if (plan.hasPreActivation(node)) {
        boolean fused = node.decl().kind()
            .forwardWithActivation(new NodeCode(context, node), plan.activation(node)) != null;
        addBuffer(fields, allocation, names.preActivation(node), node, fused
            ? "$L's activation slopes, which its kernel writes in a training pass for the backward pass"
            : "$L's output before its activation");
      }
      if (plan.hasGradient(node)) {
        addGradient(fields, allocation, node);
      }
      for (int part = 0; part < plan.gradientParts(node); part++) {
        addBuffer(fields, allocation, names.gradientPart(node, part), node,
            "One reader's share of $L's gradient, before it is added in");
      }
      for (LayerKind.ExtraBuffer extra : node.decl().kind().extraBuffers(node)) {
        String field = names.extra(node, extra.suffix());
        fields.add(FieldSpec.builder(ModelContext.INDARRAY, field)
            .addJavadoc("$L's $L, $L.\n", node.name(), extra.suffix(),
                extra.perSample() ? ShapeText.batch(extra.shape()) : extra.shape().toString()));
        allocation.addStatement("$L = $T.zeros(dataType$L$L)", field, Runtime.ND_ARRAYS,
            extra.perSample() ? ", batchSize" : "", ShapeText.dims(extra.shape()));
      }
      for (MaskCode.Buffer mask : context.maskCode.buffers(node)) {
        fields.add(FieldSpec.builder(ModelContext.INDARRAY, mask.field()).addJavadoc("$L\n", mask.javadoc()));
        allocation.addStatement("$L = $T.zeros(dataType, batchSize$L)", mask.field(),
            Runtime.ND_ARRAYS, ShapeText.dims(Shape.of(node.shape().dim(0))));
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
   * A layer's output buffer: its input's array where the layer passes its values on unchanged
   * ({@link SharedMemory}), in training, in predictions or in both; otherwise as {@link #addBuffer}.
   */
  private void addOutput(List<FieldSpec.Builder> fields, CodeBlock.Builder allocation, Node node) {
    String field = names.output(node);
    Node inTraining = context.shared.outputSourceInTraining(node);
    Node inPrediction = context.shared.outputSourceInPrediction(node);
    if (inTraining == null && inPrediction == null) {
      addBuffer(fields, allocation, field, node, "$L's output");
      return;
    }
    Node source = inPrediction;
    fields.add(FieldSpec.builder(ModelContext.INDARRAY, field)
        .addJavadoc("$L's output, $L: $L's array$L, whose values it passes on unchanged.\n",
            node.name(), ShapeText.batch(node.shape()), source.name(),
            inTraining == null ? " in a prediction" : ""));
    CodeBlock shared = sameMemory(node, names.output(source), source);
    if (inTraining != null) {
      allocation.addStatement("$L = $L", field, shared);
    } else {
      allocation.addStatement("$L = training ? $L : $L", field, ownMemory(node), shared);
    }
  }

  /**
   * A layer's output gradient: its input's gradient array where the layer's copy would be that
   * gradient's first write ({@link SharedMemory}); otherwise as {@link #addBuffer}.
   */
  private void addGradient(List<FieldSpec.Builder> fields, CodeBlock.Builder allocation, Node node) {
    String field = names.gradient(node);
    if (!context.shared.sharesGradientWithInput(node)) {
      addBuffer(fields, allocation, field, node, "The loss gradient of $L's output");
      return;
    }
    Node input = network.node(node.inputs().get(0));
    fields.add(FieldSpec.builder(ModelContext.INDARRAY, field)
        .addJavadoc("The loss gradient of $L's output, $L:\n$L's gradient array, which it passes on unchanged.\n",
            node.name(), ShapeText.batch(node.shape()), input.name()));
    CodeBlock shared = sameMemory(node, names.gradient(input), input);
    // A prediction's buffers have no gradients: the input's field is null there.
    allocation.addStatement("$L = $L", field, memory.isPlanned() && !node.shape().equals(input.shape())
        ? CodeBlock.of("training ? $L : null", shared)
        : shared);
  }

  /** {@code sourceField}'s array, seen in {@code node}'s shape where the two differ. */
  private static CodeBlock sameMemory(Node node, String sourceField, Node source) {
    return node.shape().equals(source.shape())
        ? CodeBlock.of("$L", sourceField)
        : CodeBlock.of("$T.reshaped($L, batchSize$L)", Runtime.ND_ARRAYS, sourceField,
            ShapeText.dims(node.shape()));
  }

  /**
   * A buffer's field and its allocation: memory of its own, a view into the arena where the plan
   * placed it, or, in a model with a plan, null where the other mode places it and this one has no
   * use for it (gradients in predictions).
   */
  private void addBuffer(List<FieldSpec.Builder> fields, CodeBlock.Builder allocation, String field,
      Node node, String doc) {
    fields.add(FieldSpec.builder(ModelContext.INDARRAY, field)
        .addJavadoc(doc + ", $L.\n", node.name(), ShapeText.batch(node.shape())));
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

  private static CodeBlock ownMemory(Node node) {
    return CodeBlock.of("$T.zeros(dataType, batchSize$L)", Runtime.ND_ARRAYS, ShapeText.dims(node.shape()));
  }

  private static CodeBlock arenaView(Node node, long offset) {
    return CodeBlock.of("$T.view(arena, batchSize * $LL, batchSize$L)", Runtime.ND_ARRAYS, offset,
        ShapeText.dims(node.shape()));
  }

  MethodSpec buffersFor() {
    MethodSpec.Builder method = MethodSpec.methodBuilder("buffersFor")
        .addModifiers(Modifier.PRIVATE)
        .returns(context.buffers)
        .addJavadoc("The buffers for the shape of this batch, allocated on first use.\n");
    context.addInputParameters(method, false);
    String first = names.input(network.inputs().get(0));
    List<Node> variable = context.variableLengthInputs();
    if (variable.isEmpty()) {
      if (memory.isPlanned()) {
        method.addStatement("current = buffers.get($L.size(0),\n"
            + "    batchSize -> new Buffers(dataType(), batchSize, true, inferenceBuffers.peek(batchSize)))", first);
      } else {
        method.addStatement(
            "current = buffers.get($L.size(0), batchSize -> new Buffers(dataType(), batchSize))", first);
      }
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

  MethodSpec bufferPlan() {
    return MethodSpec.methodBuilder("bufferPlan")
        .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .returns(Runtime.BUFFER_PLAN)
        .addJavadoc("The batch buffers' memory as planned at build time, in values per sample; the arenas'\n"
            + "tables are on {@code Buffers.TRAINING_ARENA} and {@code Buffers.INFERENCE_ARENA}.\n")
        .addStatement("return new $T($LL, Buffers.TRAINING_ARENA, $LL, Buffers.INFERENCE_ARENA, $LL)",
            Runtime.BUFFER_PLAN, memory.keptValues(), memory.gradientFloor(), memory.inferenceFloor())
        .build();
  }

  MethodSpec inferenceBuffersFor() {
    MethodSpec.Builder method = MethodSpec.methodBuilder("inferenceBuffersFor")
        .addModifiers(Modifier.PRIVATE)
        .returns(context.buffers)
        .addJavadoc("The prediction buffers for the shape of this batch, allocated on first use.\n");
    context.addInputParameters(method, false);
    method.addStatement(
        "current = inferenceBuffers.get($L.size(0),\n"
            + "    batchSize -> new Buffers(dataType(), batchSize, false, buffers.peek(batchSize)))",
        names.input(network.inputs().get(0)));
    return method.addStatement("return current").build();
  }
}
