package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.kiln.Activation;
import dev.kiln.Conv2DTranspose;
import dev.kiln.Initializer;
import dev.kiln.Padding;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Shape;
import java.util.ArrayList;
import java.util.List;

/** {@code @Conv2DTranspose}: the transposed convolution, which upsamples. */
final class Conv2DTransposeKind implements LayerKind {

  private static final ClassName KERNEL = Runtime.kernel("Conv2DTranspose");

  @Override
  public Class<Conv2DTranspose> annotation() {
    return Conv2DTranspose.class;
  }

  @Override
  public String kerasName() {
    return "Conv2DTranspose";
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
    LayerDecl layer = context.layer();
    Shape input = context.inputs().get(0);
    if (!Windows.isImage(context)) {
      return null;
    }
    int[] size = Windows.size(layer);
    int[] strides = Windows.strides(layer);
    int[] dilation = Windows.dilation(layer);
    Padding padding = Windows.padding(layer);
    int[] out = new int[2];
    for (int axis = 0; axis < 2; axis++) {
      int extent = Windows.extent(size[axis], dilation[axis]);
      // Keras' deconv_output_length without output_padding.
      int strided = Math.multiplyExact(input.dim(axis), strides[axis]);
      out[axis] = padding == Padding.SAME
          ? strided
          : Math.addExact(strided, Math.max(extent - strides[axis], 0));
    }
    return Shape.of(out[0], out[1], layer.attributes().intValue("filters"));
  }

  @Override
  public List<ParamDecl> parameters(LayerDecl layer, List<Shape> inputs) {
    int[] size = Windows.size(layer);
    int channels = inputs.get(0).dim(2);
    int filters = layer.attributes().intValue("filters");
    int receptive = Math.multiplyExact(size[0], size[1]);
    // Keras takes the fans from the kernel shape (kh, kw, filters, channels).
    long fanIn = (long) receptive * filters;
    long fanOut = (long) receptive * channels;
    List<ParamDecl> params = new ArrayList<>();
    params.add(new ParamDecl("kernel", Shape.of(size[0], size[1], filters, channels),
        layer.attributes().enumValue("kernelInitializer", Initializer.class), fanIn, fanOut));
    if (layer.attributes().booleanValue("useBias")) {
      params.add(new ParamDecl("bias", Shape.of(filters),
          layer.attributes().enumValue("biasInitializer", Initializer.class), fanIn, fanOut));
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
}
