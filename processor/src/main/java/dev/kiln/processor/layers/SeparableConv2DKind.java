package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.kiln.Activation;
import dev.kiln.Initializer;
import dev.kiln.SeparableConv2D;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code @SeparableConv2D}: a depthwise convolution without bias into a buffer of its own, then a
 * 1x1 convolution with the bias.
 */
final class SeparableConv2DKind implements LayerKind {

  private static final ClassName KERNEL = Runtime.kernel("SeparableConv2D");

  @Override
  public Class<SeparableConv2D> annotation() {
    return SeparableConv2D.class;
  }

  @Override
  public String kerasName() {
    return "SeparableConv2D";
  }

  @Override
  public Arity arity() {
    return Arity.exactly(1);
  }

  @Override
  public void checkAttributes(LayerDecl layer, Report.Builder report) {
    Attrs.checkPositive(layer, "filters", "filter", report);
    DepthwiseConv2DKind.checkDepthwise(layer, report);
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    Shape depthwise = DepthwiseConv2DKind.depthwiseOutput(context);
    return depthwise == null
        ? null
        : Shape.of(depthwise.dim(0), depthwise.dim(1), context.layer().attributes().intValue("filters"));
  }

  @Override
  public List<ParamDecl> parameters(LayerDecl layer, List<Shape> inputs) {
    int channels = inputs.get(0).dim(2);
    int depthwiseChannels = Math.multiplyExact(channels, DepthwiseConv2DKind.multiplier(layer));
    int filters = layer.attributes().intValue("filters");
    List<ParamDecl> params = new ArrayList<>();
    params.add(DepthwiseConv2DKind.depthwiseKernel(layer, channels));
    params.add(new ParamDecl("pointwiseKernel", Shape.of(1, 1, depthwiseChannels, filters),
        layer.attributes().enumValue("pointwiseInitializer", Initializer.class), depthwiseChannels,
        filters));
    if (layer.attributes().booleanValue("useBias")) {
      params.add(new ParamDecl("bias", Shape.of(filters),
          layer.attributes().enumValue("biasInitializer", Initializer.class), depthwiseChannels,
          filters));
    }
    return params;
  }

  /**
   * The depthwise kernel at every output pixel, then the 1x1 pointwise kernel, plus the bias.
   * Backward: a product each for both kernels and the input; the gradient of the depthwise step's
   * output is needed for the depthwise kernel's, so it counts even when the input's is not.
   */
  @Override
  public Flops flops(Node node) {
    Shape out = node.shape();
    long pixels = (long) out.dim(0) * out.dim(1);
    List<ParamDecl> params = parameters(node.decl(), node.inputShapes());
    long depthwise = Math.multiplyExact(pixels, params.get(0).shape().length());
    long pointwise = Math.multiplyExact(pixels, params.get(1).shape().length());
    Flops flops = Flops.product(depthwise)
        .plus(new Flops(2 * pointwise, 4 * pointwise, List.of(0L)));
    return node.decl().attributes().booleanValue("useBias")
        ? flops.plus(Flops.bias(pixels, out.dim(2), 1))
        : flops;
  }

  @Override
  public Activation activation(LayerDecl layer) {
    return layer.attributes().enumValue("activation", Activation.class);
  }

  @Override
  public List<Constant> constants(LayerDecl layer) {
    return List.of(new Constant("WINDOW", Windows.WINDOW, Windows.window(layer)));
  }

  /** The depthwise step's output and its gradient, {@code (h', w', channels * depthMultiplier)}. */
  @Override
  public List<ExtraBuffer> extraBuffers(Node node) {
    Shape depthwise = Shape.of(node.shape().dim(0), node.shape().dim(1),
        node.inputShapes().get(0).dim(2) * DepthwiseConv2DKind.multiplier(node.decl()));
    return List.of(new ExtraBuffer("Depthwise", depthwise, true),
        new ExtraBuffer("DepthwiseGradient", depthwise, true));
  }

  @Override
  public CodeBlock forward(LayerCode code) {
    return CodeBlock.of("$T.forward($L, $L, $L, $L, $L, $L, $L);\n", KERNEL, code.input(0),
        code.param("depthwiseKernel"), code.param("pointwiseKernel"), code.param("bias"),
        code.constant("WINDOW"), code.buffer("Depthwise"), code.output());
  }

  @Override
  public CodeBlock backward(LayerCode code) {
    return CodeBlock.of("$T.backward($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L);\n", KERNEL,
        code.input(0), code.param("depthwiseKernel"), code.param("pointwiseKernel"),
        code.buffer("Depthwise"), code.outputGradient(), code.constant("WINDOW"),
        code.buffer("DepthwiseGradient"), code.grad("depthwiseKernel"),
        code.grad("pointwiseKernel"), code.grad("bias"), code.inputGradient(0));
  }

  @Override
  public List<String> parameterNames() {
    return List.of("depthwiseKernel", "pointwiseKernel", "bias");
  }

  @Override
  public TypeName parametersType() {
    return KERNEL.nestedClass("Parameters");
  }
}
