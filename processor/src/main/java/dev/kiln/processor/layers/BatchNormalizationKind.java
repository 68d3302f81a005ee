package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.kiln.BatchNormalization;
import dev.kiln.Initializer;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code @BatchNormalization} over the last axis. Its moving mean and variance are parameters
 * the optimizer does not train; the layer updates them while training. A frozen layer (at build
 * or at run time) runs in inference mode while training, as Keras runs a layer that is not
 * trainable: it normalises with its moving statistics and leaves them as they are. A layer with
 * {@code @SameWeightsAs} is the same layer applied again, so its owner's freezing decides.
 */
final class BatchNormalizationKind implements LayerKind {

  private static final ClassName KERNEL = Runtime.kernel("BatchNormalization");

  @Override
  public Class<BatchNormalization> annotation() {
    return BatchNormalization.class;
  }

  @Override
  public String kerasName() {
    return "BatchNormalization";
  }

  @Override
  public Arity arity() {
    return Arity.exactly(1);
  }

  @Override
  public void checkAttributes(LayerDecl layer, Report.Builder report) {
    double momentum = layer.attributes().doubleValue("momentum");
    if (!(momentum >= 0 && momentum < 1)) {
      Attrs.bad(layer, "momentum", "momentum = " + momentum + " on " + layer.name()
          + ", but the moving averages' decay must be in [0, 1); Keras' default is 0.99", report);
    }
    double epsilon = layer.attributes().doubleValue("epsilon");
    if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
      Attrs.bad(layer, "epsilon", "epsilon = " + epsilon + " on " + layer.name()
          + ", but it must be positive and finite, to keep the variance away from zero; Keras'"
          + " default is 0.001", report);
    }
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    LayerDecl layer = context.layer();
    Shape input = context.inputs().get(0);
    int axis = layer.attributes().intValue("axis");
    if (axis != -1 && axis != input.rank()) {
      context.error(layer.name() + " normalises axis " + axis + " of " + context.describeInput(0)
          + "; Kiln normalises the last (channel) axis only, so use axis = -1", "axis");
      return null;
    }
    if (input.rank() == 0 || input.last() < 1) {
      context.errorAtInput(0, layer.name() + " needs a channel axis of known size, but its input is "
          + context.describeInput(0) + "; give the last axis a size");
      return null;
    }
    return input;
  }

  @Override
  public List<ParamDecl> parameters(LayerDecl layer, List<Shape> inputs) {
    Shape channels = Shape.of(inputs.get(0).last());
    long count = inputs.get(0).last();
    List<ParamDecl> params = new ArrayList<>();
    if (layer.attributes().booleanValue("scale")) {
      params.add(new ParamDecl("gamma", channels,
          layer.attributes().enumValue("gammaInitializer", Initializer.class), count, count));
    }
    if (layer.attributes().booleanValue("center")) {
      params.add(new ParamDecl("beta", channels,
          layer.attributes().enumValue("betaInitializer", Initializer.class), count, count));
    }
    params.add(new ParamDecl("movingMean", channels, Initializer.ZEROS, count, count, false));
    params.add(new ParamDecl("movingVariance", channels, Initializer.ONES, count, count, false));
    return params;
  }

  @Override
  public List<ExtraBuffer> extraBuffers(Node node) {
    Shape channels = Shape.of(node.shape().last());
    return List.of(
        new ExtraBuffer("BatchMean", channels, false),
        new ExtraBuffer("BatchVariance", channels, false));
  }

  /**
   * A prediction normalizes with the moving statistics and scales, 4 FLOPs per element (subtract,
   * divide, scale, offset); training first takes the batch's statistics, 3 more (the mean 1, the
   * variance 2). Backward, 2 per element for the scale's and offset's gradients and 6 for the
   * input's.
   */
  @Override
  public Flops flops(Node node) {
    long elements = node.shape().length();
    return new Flops(4 * elements, 3 * elements, 2 * elements, List.of(6 * elements));
  }

  @Override
  public CodeBlock forward(LayerCode code) {
    CodeBlock training = CodeBlock.of("$L && !isFrozen($S)", code.training(), frozenName(code));
    return CodeBlock.of("$T.forward($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L);\n", KERNEL,
        code.input(0), code.param("gamma"), code.param("beta"), code.param("movingMean"),
        code.param("movingVariance"), attribute(code, "momentum"), attribute(code, "epsilon"),
        training, code.buffer("BatchMean"), code.buffer("BatchVariance"), code.output());
  }

  @Override
  public CodeBlock backward(LayerCode code) {
    return CodeBlock.builder()
        .beginControlFlow("if (isFrozen($S))", frozenName(code))
        .add("$T.backwardWithFixedStatistics($L, $L, $L, $L, $L, $L, $L, $L, $L);\n", KERNEL,
            code.input(0), code.param("gamma"), code.param("movingMean"),
            code.param("movingVariance"), attribute(code, "epsilon"), code.outputGradient(),
            code.grad("gamma"), code.grad("beta"), code.inputGradient(0))
        .nextControlFlow("else")
        .add("$T.backward($L, $L, $L, $L, $L, $L, $L, $L, $L);\n", KERNEL,
            code.input(0), code.param("gamma"), code.buffer("BatchMean"),
            code.buffer("BatchVariance"), attribute(code, "epsilon"), code.outputGradient(),
            code.grad("gamma"), code.grad("beta"), code.inputGradient(0))
        .endControlFlow()
        .build();
  }

  @Override
  public List<String> parameterNames() {
    return List.of("gamma", "beta", "movingMean", "movingVariance");
  }

  @Override
  public TypeName parametersType() {
    return KERNEL.nestedClass("Parameters");
  }

  private static double attribute(LayerCode code, String name) {
    return code.layer().attributes().doubleValue(name);
  }

  /** The layer whose freezing counts: the owner of the weights, which a sharing layer uses. */
  private static String frozenName(LayerCode code) {
    return code.layer().sharing() == null
        ? code.layer().name()
        : code.layer().sharing().stringValue("value");
  }
}
