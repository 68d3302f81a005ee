package dev.kiln.processor.emit;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.kiln.processor.layers.LayerKind;
import dev.kiln.processor.parse.Application;
import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * The nested types a user reads and fills by name: {@code Data}, {@code Outputs},
 * {@code Activations} and {@code Layers}.
 */
final class ResultTypes {

  private static final TypeName INDARRAY = ModelContext.INDARRAY;

  /**
   * An extra buffer that is also an activation ({@link LayerKind#activationBuffers}).
   *
   * @param name as {@code get} finds it, {@code attention/scores}
   */
  record BufferActivation(Node node, String suffix, String name, Shape shape) {}

  /** A field of the Layers class and the view it holds. */
  private record View(String field, CodeBlock value) {
    CodeParts.Piece assignment(CodeBlock owner) {
      return new CodeParts.Piece(field, CodeBlock.of("$L.$L = $L;\n", owner, field, value));
    }
  }

  private final ModelContext context;
  private final Network network;
  private final ClassName model;

  ResultTypes(ModelContext context) {
    this.context = context;
    this.network = context.network;
    this.model = context.model;
  }

  TypeSpec dataRecord() {
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
      type.addMethod(accessor(node.name(),
          "Target of output {@code " + node.name() + "}, " + ShapeText.target(node) + "."));
    }
    type.recordConstructor(components.build());
    type.addMethod(arraysMethod("inputArrays", inputs));
    type.addMethod(arraysMethod("targetArrays", targets));
    return type.build();
  }

  private static MethodSpec arraysMethod(String name, List<String> components) {
    return MethodSpec.methodBuilder(name)
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .returns(ArrayTypeName.of(INDARRAY))
        .addStatement("return new $T[] {$L}", INDARRAY, String.join(", ", components))
        .build();
  }

  TypeSpec outputsRecord() {
    MethodSpec.Builder components = MethodSpec.constructorBuilder();
    TypeSpec.Builder type = TypeSpec.recordBuilder(model.nestedClass("Outputs"))
        .addModifiers(Modifier.PUBLIC)
        .addJavadoc("The model's outputs, as {@link #predict} returns them.\n");
    for (Node node : network.outputs()) {
      components.addParameter(INDARRAY, node.name());
      type.addMethod(accessor(node.name(), context.describe(node) + "."));
    }
    return type.recordConstructor(components.build()).build();
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

  List<BufferActivation> bufferActivations() {
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
  TypeSpec activationsRecord() {
    ClassName activations = model.nestedClass("Activations");
    TypeSpec.Builder type = TypeSpec.classBuilder(activations)
        .addModifiers(Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("Every layer's output, as {@link #activations} returns them.\n")
        .addField(ArrayTypeName.of(INDARRAY), "outputs", Modifier.PRIVATE, Modifier.FINAL)
        .addMethod(MethodSpec.constructorBuilder()
            .addModifiers(Modifier.PRIVATE)
            .addParameter(ArrayTypeName.of(INDARRAY), "outputs")
            .addStatement("this.outputs = outputs")
            .build());
    List<Node> nodes = network.nodes();
    Map<String, Integer> index = new HashMap<>();
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
          .addJavadoc("$L.\n", context.describe(node))
          .addStatement("return outputs[$L]", i)
          .build());
    }
    Set<String> taken = new HashSet<>(index.keySet());
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
              extra.node().name(), ShapeText.batch(extra.shape()))
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
  TypeSpec layersClass() {
    ClassName layersType = model.nestedClass("Layers");
    TypeSpec.Builder type = TypeSpec.classBuilder(layersType)
        .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
        .addJavadoc("The parameters of each layer that has any, as {@link #layers()} returns them.\n");
    MethodSpec.Builder constructor = MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE);
    List<FieldSpec.Builder> fields = new ArrayList<>();
    List<View> views = new ArrayList<>();
    BlockAccessors blocks = new BlockAccessors(network, layersType, "Layers",
        layer -> layer.kind().parametersType(),
        // A layer using another's weights has them under the owner's name, as outside blocks.
        node -> node.sharesWeights()
            ? CodeBlock.of("null")
            : node.decl().kind().parametersValue(new NodeCode(context, node, true)));
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
    for (Node node : context.layersWithParameters()) {
      TypeName parametersType = node.decl().kind().parametersType();
      fields.add(FieldSpec.builder(parametersType, node.name(), Modifier.PRIVATE));
      views.add(new View(node.name(), node.decl().kind().parametersValue(new NodeCode(context, node, true))));
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
          .map(view -> view.assignment(CodeBlock.of("$T.this", layersType)))
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
}
