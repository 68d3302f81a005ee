package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.kiln.Activation;
import dev.kiln.DepthwiseConv2D;
import dev.kiln.Initializer;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code @DepthwiseConv2D}: each channel of an image convolved with {@code depthMultiplier}
 * filters of its own.
 */
final class DepthwiseConv2DKind implements LayerKind {

  private static final ClassName KERNEL = Runtime.kernel("DepthwiseConv2D");

  @Override
  public Class<DepthwiseConv2D> annotation() {
    return DepthwiseConv2D.class;
  }

  @Override
  public String kerasName() {
    return "DepthwiseConv2D";
  }

  @Override
  public Arity arity() {
    return Arity.exactly(1);
  }

  @Override
  public void checkAttributes(LayerDecl layer, Report.Builder report) {
    checkDepthwise(layer, report);
  }

  /** The checks DepthwiseConv2D and SeparableConv2D share: the window's and the multiplier. */
  static void checkDepthwise(LayerDecl layer, Report.Builder report) {
    Windows.checkAttributes(layer, report);
    int multiplier = multiplier(layer);
    if (multiplier < 1) {
      Attrs.bad(layer, "depthMultiplier", "depthMultiplier = " + multiplier + " on "
          + layer.name() + ", but each input channel needs at least one filter of its own; use"
          + " depthMultiplier = 1 or more", report);
    }
  }

  static int multiplier(LayerDecl layer) {
    return layer.attributes().intValue("depthMultiplier");
  }

  /** The output image of the depthwise step: {@code channels * depthMultiplier} channels. */
  static Shape depthwiseOutput(ShapeContext context) {
    Shape input = context.inputs().get(0);
    if (input.rank() != 3) {
      return Windows.outputImage(context, 0); // reports that the input is no image
    }
    return Windows.outputImage(context,
        Math.multiplyExact(input.dim(2), multiplier(context.layer())));
  }

  /** Keras' depthwise kernel {@code (kh, kw, channels, depthMultiplier)}, with its fans. */
  static ParamDecl depthwiseKernel(LayerDecl layer, int channels) {
    int[] size = Windows.size(layer);
    int multiplier = multiplier(layer);
    long receptive = Math.multiplyExact(size[0], size[1]);
    return new ParamDecl("depthwiseKernel", Shape.of(size[0], size[1], channels, multiplier),
        layer.attributes().enumValue("depthwiseInitializer", Initializer.class),
        Math.multiplyExact(receptive, channels), Math.multiplyExact(receptive, multiplier));
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    return depthwiseOutput(context);
  }

  @Override
  public List<ParamDecl> parameters(LayerDecl layer, List<Shape> inputs) {
    int channels = inputs.get(0).dim(2);
    ParamDecl kernel = depthwiseKernel(layer, channels);
    List<ParamDecl> params = new ArrayList<>(List.of(kernel));
    if (layer.attributes().booleanValue("useBias")) {
      params.add(new ParamDecl("bias", Shape.of(channels * multiplier(layer)),
          layer.attributes().enumValue("biasInitializer", Initializer.class), kernel.fanIn(),
          kernel.fanOut()));
    }
    return params;
  }

  /**
   * Each output value is one channel's window times its kernel slice: {@code kh * kw}
   * multiply-adds per output value, the whole depthwise kernel at every output pixel; plus the
   * bias. Backward: one product each for the kernel and the input.
   */
  @Override
  public Flops flops(Node node) {
    Shape out = node.shape();
    long pixels = (long) out.dim(0) * out.dim(1);
    long kernel = depthwiseKernel(node.decl(), node.inputShapes().get(0).dim(2)).shape().length();
    Flops product = Flops.product(Math.multiplyExact(pixels, kernel));
    return node.decl().attributes().booleanValue("useBias")
        ? product.plus(Flops.bias(pixels, out.dim(2), 1))
        : product;
  }

  @Override
  public Activation activation(LayerDecl layer) {
    return layer.attributes().enumValue("activation", Activation.class);
  }

  @Override
  public List<Constant> constants(LayerDecl layer) {
    return List.of(new Constant("WINDOW", Windows.WINDOW, Windows.window(layer)));
  }

  @Override
  public CodeBlock forward(LayerCode code) {
    return CodeBlock.of("$T.forward($L, $L, $L, $L, $L);\n", KERNEL, code.input(0),
        code.param("depthwiseKernel"), code.param("bias"), code.constant("WINDOW"), code.output());
  }

  @Override
  public CodeBlock backward(LayerCode code) {
    return CodeBlock.of("$T.backward($L, $L, $L, $L, $L, $L, $L);\n", KERNEL, code.input(0),
        code.param("depthwiseKernel"), code.outputGradient(), code.constant("WINDOW"),
        code.grad("depthwiseKernel"), code.grad("bias"), code.inputGradient(0));
  }

  @Override
  public List<String> parameterNames() {
    return List.of("depthwiseKernel", "bias");
  }

  @Override
  public TypeName parametersType() {
    return KERNEL.nestedClass("Parameters");
  }
}
