package dev.kiln.processor.emit;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.kiln.processor.layers.LayerKind;
import dev.kiln.processor.layers.ParamDecl;
import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.Node;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The model's parameter and gradient fields, views of the flat buffers, and the constructor that
 * binds them and lets each layer initialise its own.
 */
final class ParameterBinding {

  private final ModelContext context;
  private final Network network;
  private final Naming names;
  /** What the constructor does after {@code super}, in pieces that may be split into parts. */
  private final List<CodeParts.Piece> work;

  ParameterBinding(ModelContext context) {
    this.context = context;
    this.network = context.network;
    this.names = context.names;
    this.work = constructorWork();
  }

  /** The constants, parameter and gradient fields. */
  void addFields(TypeSpec.Builder type) {
    // Fields assigned in the constructor's parts cannot be final.
    addFields(type, CodeParts.fits(work));
  }

  /** The constructor; its parts go to {@code type} if it is too long for one method. */
  MethodSpec constructor(TypeSpec.Builder type) {
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

  private void addFields(TypeSpec.Builder type, boolean finalFields) {
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
        if (context.hasGradientPart(node, param)) {
          type.addField(
              FieldSpec.builder(ModelContext.INDARRAY, names.gradPart(node, param), modifiers)
                  .addJavadoc("$L's $L gradient from one of the layers sharing it, before it is added in.\n",
                      node.name(), param.name())
                  .build());
        }
        type.addField(
            FieldSpec.builder(ModelContext.INDARRAY, names.param(node, param), modifiers)
                .addJavadoc("$L's $L, $L.\n", node.name(), param.name(), param.shape())
                .build());
        if (param.trainable()) {
          type.addField(
              FieldSpec.builder(ModelContext.INDARRAY, names.grad(node, param), modifiers)
                  .addJavadoc("The loss gradient of $L's $L, $L.\n", node.name(), param.name(), param.shape())
                  .build());
        }
      }
    }
  }

  /** Per layer, bind its parameter views, then initialise. */
  private List<CodeParts.Piece> constructorWork() {
    List<CodeParts.Piece> pieces = new ArrayList<>();
    int index = 0;
    for (Node node : network.nodes()) {
      CodeBlock.Builder binding = CodeBlock.builder();
      for (ParamDecl param : node.params()) {
        binding.addStatement("$L = parameter($L)", names.param(node, param), index);
        if (param.trainable()) {
          binding.addStatement("$L = gradient($L)", names.grad(node, param), index);
        }
        if (context.hasGradientPart(node, param)) {
          binding.addStatement("$L = $T.zeros(dataType$L)", names.gradPart(node, param),
              Runtime.ND_ARRAYS, ShapeText.dims(param.shape()));
        }
        index++;
      }
      if (!binding.isEmpty()) {
        pieces.add(new CodeParts.Piece(node.name(), binding.build()));
      }
    }
    for (Node node : network.nodes()) {
      CodeBlock initialization = node.decl().kind().initialization(new NodeCode(context, node));
      if (!initialization.isEmpty()) {
        pieces.add(new CodeParts.Piece(node.name(), initialization));
      }
    }
    return pieces;
  }
}
