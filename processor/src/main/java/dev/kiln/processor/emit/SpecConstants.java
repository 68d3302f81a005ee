package dev.kiln.processor.emit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.TypeSpec;
import dev.kiln.Constraint;
import dev.kiln.DType;
import dev.kiln.Initializer;
import dev.kiln.Loss;
import dev.kiln.Metric;
import dev.kiln.processor.layers.ParamDecl;
import dev.kiln.processor.parse.Application;
import dev.kiln.processor.parse.OutputDecl;
import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.training.WeightRules;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The model class's static description: {@code SUMMARY_TABLE}, {@code DOT} and {@code SPEC}, the
 * runtime's view of the inputs, outputs, parameters, layers and optimizer.
 */
final class SpecConstants {

  private final ModelContext context;
  private final Network network;

  SpecConstants(ModelContext context) {
    this.context = context;
    this.network = context.network;
  }

  void addTo(TypeSpec.Builder type) {
    type.addField(
        FieldSpec.builder(String.class, "SUMMARY_TABLE", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
            .initializer(StringConstant.initializer(SummaryTable.render(network)))
            .build());
    type.addField(
        FieldSpec.builder(String.class, "DOT", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
            .initializer(StringConstant.initializer(DotGraph.render(network)))
            .build());
    List<Node> frozenNodes = network.nodes().stream()
        .filter(node -> node.decl().frozen() && !node.params().isEmpty())
        .toList();
    SpecList inputs = new SpecList(Runtime.INPUT_SPEC, "inputSpecs", "input specs",
        names(network.inputs()), network.inputs().stream().map(this::inputSpec).toList());
    SpecList outputs = new SpecList(Runtime.OUTPUT_SPEC, "outputSpecs", "output specs",
        names(network.outputs()), network.outputs().stream().map(this::outputSpec).toList());
    SpecList parameters = parameterSpecs();
    SpecList frozen = new SpecList(ClassName.get(String.class), "frozenLayers",
        "frozen layers", names(frozenNodes),
        frozenNodes.stream().map(node -> CodeBlock.of("$S", node.name())).toList());
    SpecList layers = layerSpecs();
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

  private SpecList parameterSpecs() {
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
            ShapeText.longArray(param.shape()),
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
    return new SpecList(Runtime.PARAMETER_SPEC, "parameterSpecs", "parameter specs", paramLayers, params);
  }

  private SpecList layerSpecs() {
    LayerCosts costs = new LayerCosts(context.plan);
    return new SpecList(Runtime.LAYER_SPEC, "layerSpecs", "layer specs",
        names(network.nodes()),
        network.nodes().stream()
            .map(node -> CodeBlock.of("new $T($S, $S, $L, $T.of($L), $LL,\n$>$L)$<", Runtime.LAYER_SPEC,
                node.name(), node.decl().kind().kerasName(), ShapeText.longArray(node.shape()), List.class,
                node.inputs().stream().map(input -> CodeBlock.of("$S", input))
                    .collect(CodeBlock.joining(", ")),
                node.paramCount(), LayerCosts.code(costs.of(node))))
            .toList());
  }

  private static List<String> names(List<Node> nodes) {
    return nodes.stream().map(Node::name).toList();
  }

  private CodeBlock inputSpec(Node node) {
    DType dtype = node.decl().attributes().enumValue("dtype", DType.class);
    long tokenLimit = tokenLimit(node);
    return tokenLimit > 0
        ? CodeBlock.of("new $T($S, $L, $T.$L, $L)", Runtime.INPUT_SPEC, node.name(),
            ShapeText.longArray(node.shape()), DType.class, dtype, tokenLimit)
        : CodeBlock.of("new $T($S, $L, $T.$L)", Runtime.INPUT_SPEC, node.name(),
            ShapeText.longArray(node.shape()), DType.class, dtype);
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
    CodeBlock metrics = CodeBlock.join(
        output.metrics().stream().map(metric -> CodeBlock.of("$T.$L", Metric.class, metric)).toList(),
        ", ");
    CodeBlock spec = CodeBlock.of(
        "new $T($S, $L, $T.$L, $L, $T.of($L), $L",
        Runtime.OUTPUT_SPEC,
        node.name(),
        ShapeText.longArray(node.shape()),
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
}
