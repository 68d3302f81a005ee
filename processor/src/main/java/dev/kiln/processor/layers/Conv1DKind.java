package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.kiln.Activation;
import dev.kiln.Conv1D;
import dev.kiln.Initializer;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.util.ArrayList;
import java.util.List;

/** {@code @Conv1D}: a convolution along the steps of a sequence, with valid, same or causal padding. */
final class Conv1DKind implements LayerKind {

  private static final ClassName KERNEL = Runtime.kernel("Conv1D");

  @Override
  public Class<Conv1D> annotation() {
    return Conv1D.class;
  }

  @Override
  public String kerasName() {
    return "Conv1D";
  }

  @Override
  public Arity arity() {
    return Arity.exactly(1);
  }

  @Override
  public void checkAttributes(LayerDecl layer, Report.Builder report) {
    Attrs.checkPositive(layer, "filters", "filter", report);
    SequenceWindows.checkAttributes(layer, true, report);
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    if (!SequenceWindows.isSequence(context)) {
      return null;
    }
    int steps = SequenceWindows.outputSteps(context);
    return steps == 0 ? null : Shape.of(steps, filters(context.layer()));
  }

  private static int filters(LayerDecl layer) {
    return layer.attributes().intValue("filters");
  }

  @Override
  public List<ParamDecl> parameters(LayerDecl layer, List<Shape> inputs) {
    int size = layer.attributes().intValue("kernelSize");
    int channels = inputs.get(0).dim(1);
    int filters = filters(layer);
    // Keras' fans of a (kernelSize, channels, filters) kernel: the receptive field times each end.
    long fanIn = Math.multiplyExact((long) size, channels);
    long fanOut = Math.multiplyExact((long) size, filters);
    List<ParamDecl> params = new ArrayList<>();
    params.add(new ParamDecl("kernel", Shape.of(size, channels, filters),
        layer.attributes().enumValue("kernelInitializer", Initializer.class), fanIn, fanOut));
    if (layer.attributes().booleanValue("useBias")) {
      params.add(new ParamDecl("bias", Shape.of(filters),
          layer.attributes().enumValue("biasInitializer", Initializer.class), fanIn, fanOut));
    }
    return params;
  }

  /** The whole kernel at every output step, plus the bias; backward: one product each for the kernel and the input. */
  @Override
  public Flops flops(Node node) {
    LayerDecl layer = node.decl();
    long steps = node.shape().dim(0);
    long kernel = Math.multiplyExact((long) layer.attributes().intValue("kernelSize"),
        (long) node.inputShapes().get(0).dim(1) * filters(layer));
    Flops product = Flops.product(Math.multiplyExact(steps, kernel));
    return layer.attributes().booleanValue("useBias")
        ? product.plus(Flops.bias(steps, filters(layer), 1))
        : product;
  }

  @Override
  public Activation activation(LayerDecl layer) {
    return layer.attributes().enumValue("activation", Activation.class);
  }

  @Override
  public List<Constant> constants(LayerDecl layer) {
    return List.of(new Constant("WINDOW", SequenceWindows.WINDOW, SequenceWindows.window(layer)));
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
