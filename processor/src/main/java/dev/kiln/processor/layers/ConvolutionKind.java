package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.kiln.Activation;
import dev.kiln.Initializer;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code @Conv2D} and {@code @Conv2DTranspose} share: attributes, a kernel and an optional
 * bias, one window constant, and kernel calls of the same form. They differ in output shape
 * and in the kernel's layout.
 */
abstract class ConvolutionKind implements LayerKind {

  private final Class<? extends Annotation> annotation;
  private final ClassName kernel;

  ConvolutionKind(Class<? extends Annotation> annotation) {
    this.annotation = annotation;
    this.kernel = Runtime.kernel(annotation.getSimpleName());
  }

  /** The kernel's shape, (rows, columns, a, b), for this many input channels and filters. */
  abstract Shape kernelShape(int[] size, int channels, int filters);

  @Override
  public final Class<? extends Annotation> annotation() {
    return annotation;
  }

  @Override
  public final String kerasName() {
    return annotation.getSimpleName();
  }

  @Override
  public final Arity arity() {
    return Arity.exactly(1);
  }

  @Override
  public final void checkAttributes(LayerDecl layer, Report.Builder report) {
    Attrs.checkPositive(layer, "filters", "filter", report);
    Windows.checkAttributes(layer, report);
  }

  static int filters(LayerDecl layer) {
    return layer.attributes().intValue("filters");
  }

  @Override
  public final List<ParamDecl> parameters(LayerDecl layer, List<Shape> inputs) {
    int[] size = Windows.size(layer);
    int channels = inputs.get(0).dim(2);
    int filters = filters(layer);
    Shape kernelShape = kernelShape(size, channels, filters);
    // Keras takes the fans from the kernel shape: the receptive field times its last two axes.
    long receptive = Math.multiplyExact(size[0], size[1]);
    long fanIn = Math.multiplyExact(receptive, kernelShape.dim(2));
    long fanOut = Math.multiplyExact(receptive, kernelShape.dim(3));
    List<ParamDecl> params = new ArrayList<>();
    params.add(new ParamDecl("kernel", kernelShape,
        layer.attributes().enumValue("kernelInitializer", Initializer.class), fanIn, fanOut));
    if (layer.attributes().booleanValue("useBias")) {
      params.add(new ParamDecl("bias", Shape.of(filters),
          layer.attributes().enumValue("biasInitializer", Initializer.class), fanIn, fanOut));
    }
    return params;
  }

  /** The pixels the kernel is applied at: the output's, or the input's for a transposed one. */
  abstract long kernelPositions(Node node);

  /**
   * The whole kernel applied at each of {@link #kernelPositions} (padding zeros included, as the
   * products do), plus the bias at every output pixel; backward: the kernel's gradient and the
   * input's, one product each.
   */
  @Override
  public final Flops flops(Node node) {
    long kernelLength = parameters(node.decl(), node.inputShapes()).get(0).shape().length();
    Flops product = Flops.product(Math.multiplyExact(kernelPositions(node), kernelLength));
    Shape out = node.shape();
    return node.decl().attributes().booleanValue("useBias")
        ? product.plus(Flops.bias((long) out.dim(0) * out.dim(1), out.dim(2), 1))
        : product;
  }

  @Override
  public final Activation activation(LayerDecl layer) {
    return layer.attributes().enumValue("activation", Activation.class);
  }

  @Override
  public final List<Constant> constants(LayerDecl layer) {
    return List.of(new Constant("WINDOW", Windows.WINDOW, Windows.window(layer)));
  }

  @Override
  public final CodeBlock forward(LayerCode code) {
    return CodeBlock.of("$T.forward($L, $L, $L, $L, $L);\n", kernel, code.input(0),
        code.param("kernel"), code.param("bias"), code.constant("WINDOW"), code.output());
  }

  @Override
  public final CodeBlock backward(LayerCode code) {
    return CodeBlock.of("$T.backward($L, $L, $L, $L, $L, $L, $L);\n", kernel, code.input(0),
        code.param("kernel"), code.outputGradient(), code.constant("WINDOW"), code.grad("kernel"),
        code.grad("bias"), code.inputGradient(0));
  }

  @Override
  public final List<String> parameterNames() {
    return List.of("kernel", "bias");
  }

  @Override
  public final TypeName parametersType() {
    return kernel.nestedClass("Parameters");
  }
}
