package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.kiln.Activation;
import dev.kiln.Conv2D;
import dev.kiln.Initializer;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Shape;
import java.util.ArrayList;
import java.util.List;

/** {@code @Conv2D}: a 2-D convolution over channels-last images. */
final class Conv2DKind implements LayerKind {

  private static final ClassName KERNEL = Runtime.kernel("Conv2D");

  @Override
  public Class<Conv2D> annotation() {
    return Conv2D.class;
  }

  @Override
  public String kerasName() {
    return "Conv2D";
  }

  @Override
  public Arity arity() {
    return Arity.exactly(1);
  }

  @Override
  public void checkAttributes(LayerDecl layer, Report.Builder report) {
    Attrs.checkPositive(layer, "filters", "filter", report);
    Windows.checkAttributes(layer, report);
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    return Windows.outputImage(context, filters(context.layer()));
  }

  @Override
  public List<ParamDecl> parameters(LayerDecl layer, List<Shape> inputs) {
    int[] size = Attrs.pair(layer, "kernelSize");
    int channels = inputs.get(0).dim(2);
    int filters = filters(layer);
    int receptive = Math.multiplyExact(size[0], size[1]);
    List<ParamDecl> params = new ArrayList<>();
    params.add(new ParamDecl(
        "kernel",
        Shape.of(size[0], size[1], channels, filters),
        layer.attributes().enumValue("kernelInitializer", Initializer.class),
        (long) receptive * channels,
        (long) receptive * filters));
    if (layer.attributes().booleanValue("useBias")) {
      params.add(new ParamDecl(
          "bias",
          Shape.of(filters),
          layer.attributes().enumValue("biasInitializer", Initializer.class),
          (long) receptive * channels,
          (long) receptive * filters));
    }
    return params;
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
        code.param("kernel"), code.param("bias"), code.constant("WINDOW"), code.output());
  }

  @Override
  public CodeBlock backward(LayerCode code) {
    return CodeBlock.of("$T.backward($L, $L, $L, $L, $L, $L, $L);\n", KERNEL, code.input(0),
        code.param("kernel"), code.outputGradient(), code.constant("WINDOW"), code.grad("kernel"),
        code.grad("bias"), code.inputGradient(0));
  }

  @Override
  public List<String> parameterNames() {
    return List.of("kernel", "bias");
  }

  @Override
  public TypeName parametersType() {
    return KERNEL.nestedClass("Parameters");
  }

  private static int filters(LayerDecl layer) {
    return layer.attributes().intValue("filters");
  }
}
