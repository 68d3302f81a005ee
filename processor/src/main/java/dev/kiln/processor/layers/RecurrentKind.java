package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.kiln.GRU;
import dev.kiln.Initializer;
import dev.kiln.LSTM;
import dev.kiln.SimpleRNN;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code @LSTM}, {@code @GRU} and {@code @SimpleRNN}: a state carried along the steps of a
 * sequence, with Keras' weight layout (gates side by side on the last axis).
 */
final class RecurrentKind implements LayerKind {

  static final RecurrentKind LSTM_KIND = new RecurrentKind(LSTM.class, "LSTM", "Lstm", 4);
  static final RecurrentKind GRU_KIND = new RecurrentKind(GRU.class, "GRU", "Gru", 3);
  static final RecurrentKind SIMPLE_RNN_KIND =
      new RecurrentKind(SimpleRNN.class, "SimpleRNN", "SimpleRnn", 1);

  private final Class<? extends Annotation> annotation;
  private final String kerasName;
  private final ClassName kernel;
  private final int gates;

  private RecurrentKind(
      Class<? extends Annotation> annotation, String kerasName, String kernel, int gates) {
    this.annotation = annotation;
    this.kerasName = kerasName;
    this.kernel = Runtime.kernel(kernel);
    this.gates = gates;
  }

  @Override
  public Class<? extends Annotation> annotation() {
    return annotation;
  }

  @Override
  public String kerasName() {
    return kerasName;
  }

  @Override
  public Arity arity() {
    return Arity.exactly(1);
  }

  @Override
  public void checkAttributes(LayerDecl layer, Report.Builder report) {
    Attrs.checkPositive(layer, "units", "unit", report);
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    LayerDecl layer = context.layer();
    Shape input = context.inputs().get(0);
    if (input.rank() != 2) {
      context.errorAtInput(0, layer.name() + " is " + Words.aLayer(this) + ", which reads"
          + " sequences (steps, features), but its input is " + context.describeInput(0)
          + (input.rank() == 1
              ? "; give the input a steps axis, such as shape = {" + input.dim(0) + ", 1}"
              : "; @Reshape it to (steps, features) first"));
      return null;
    }
    if (input.dim(1) == Shape.VARIABLE) {
      context.errorAtInput(0, layer.name() + " needs a known number of features to size its"
          + " kernel, but its input is " + context.describeInput(0) + "; give the features axis"
          + " a size");
      return null;
    }
    int units = layer.attributes().intValue("units");
    return layer.attributes().booleanValue("returnSequences")
        ? Shape.of(input.dim(0), units)
        : Shape.of(units);
  }

  @Override
  public List<ParamDecl> parameters(LayerDecl layer, List<Shape> inputs) {
    return parameters(layer, inputs, "");
  }

  /** The parameters, their names prefixed (for the two directions of a bidirectional layer). */
  List<ParamDecl> parameters(LayerDecl layer, List<Shape> inputs, String prefix) {
    int features = inputs.get(0).dim(1);
    int units = layer.attributes().intValue("units");
    int width = Math.multiplyExact(gates, units);
    List<ParamDecl> params = new ArrayList<>();
    params.add(new ParamDecl(name(prefix, "kernel"), Shape.of(features, width),
        layer.attributes().enumValue("kernelInitializer", Initializer.class), features, width));
    params.add(new ParamDecl(name(prefix, "recurrentKernel"), Shape.of(units, width),
        layer.attributes().enumValue("recurrentInitializer", Initializer.class), units, width));
    if (layer.attributes().booleanValue("useBias")) {
      // Keras' GRU (reset_after) keeps separate input and recurrent biases.
      Shape bias = annotation == GRU.class ? Shape.of(2, width) : Shape.of(width);
      params.add(new ParamDecl(name(prefix, "bias"), bias,
          layer.attributes().enumValue("biasInitializer", Initializer.class), features, width));
    }
    return params;
  }

  /**
   * Per step: the input times the kernel, the state times the recurrent kernel, the bias, and the
   * cell's element-wise work per unit (LSTM 9: three sigmoids, two tanh, three products, a sum;
   * GRU 9: two sigmoids, the reset product and sum, a tanh, the four operations of the update;
   * SimpleRNN 1: the tanh). Backward per step: a product each for the two kernels' gradients, one
   * more for the gradient back through the recurrent kernel (needed for any gradient), the bias'
   * sum, twice the cell's element-wise work; and a product for the input's gradient.
   */
  @Override
  public Flops flops(Node node) {
    long steps = node.inputShapes().get(0).dim(0);
    long features = node.inputShapes().get(0).dim(1);
    long units = node.decl().attributes().intValue("units");
    long width = gates * units;
    long input = features * width;
    long recurrent = units * width;
    long bias = node.decl().attributes().booleanValue("useBias")
        ? (annotation == GRU.class ? 2 * width : width)
        : 0;
    long cell = (annotation == SimpleRNN.class ? 1 : 9) * units;
    Flops step = new Flops(
        2 * input + 2 * recurrent + bias + cell,
        2 * input + 4 * recurrent + bias + 2 * cell,
        List.of(2 * input));
    return step.times(steps);
  }

  @Override
  public CodeBlock initialization(LayerCode code) {
    return forgetBias(code, "");
  }

  /** Keras' {@code unit_forget_bias}: the LSTM's forget gate starts with a bias of 1. */
  CodeBlock forgetBias(LayerCode code, String prefix) {
    LayerDecl layer = code.layer();
    if (annotation != LSTM.class
        || !layer.attributes().booleanValue("useBias")
        || !layer.attributes().booleanValue("unitForgetBias")) {
      return CodeBlock.of("");
    }
    int units = layer.attributes().intValue("units");
    return CodeBlock.of(
        "// $L: Keras' unit_forget_bias, the forget gate starts open\n"
            + "$L.get($T.interval($L, $L)).assign(1);\n",
        layer.name(),
        code.param(name(prefix, "bias")),
        ClassName.get("org.nd4j.linalg.indexing", "NDArrayIndex"),
        units,
        Math.multiplyExact(2, units));
  }

  @Override
  public CodeBlock forward(LayerCode code) {
    return forward(code, "", false, code.output());
  }

  @Override
  public CodeBlock backward(LayerCode code) {
    return backward(code, "", false, code.outputGradient(), code.inputGradient(0));
  }

  /** The forward call; an LSTM keeps its trace only in training, inference runs without one. */
  CodeBlock forward(LayerCode code, String prefix, boolean reverse, CodeBlock out) {
    CodeBlock trace = annotation == LSTM.class
        ? CodeBlock.of(", $L ? $L : null", code.training(), code.buffer(traceSuffix(prefix)))
        : CodeBlock.of("");
    return CodeBlock.of("$T.forward($L, $L, $L, $L, $L, $L, $L$L);\n", kernel, code.input(0),
        code.param(name(prefix, "kernel")), code.param(name(prefix, "recurrentKernel")),
        code.param(name(prefix, "bias")), returnSequences(code), reverse, out, trace);
  }

  CodeBlock backward(LayerCode code, String prefix, boolean reverse, CodeBlock dOut, CodeBlock dx) {
    return CodeBlock.of("$T.backward($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L$L);\n", kernel,
        code.input(0), code.param(name(prefix, "kernel")),
        code.param(name(prefix, "recurrentKernel")), code.param(name(prefix, "bias")),
        returnSequences(code), reverse, dOut, code.grad(name(prefix, "kernel")),
        code.grad(name(prefix, "recurrentKernel")), code.grad(name(prefix, "bias")), dx,
        traceArgument(code, prefix));
  }

  @Override
  public List<ExtraBuffer> extraBuffers(Node node) {
    return traces(node, "");
  }

  /**
   * The LSTM's trace: the training forward pass keeps every step in it, for the backward pass to
   * read instead of running the layer again; the kernel needs {@code 7 * units} elements a step
   * ({@code Lstm.traceLength}).
   */
  List<ExtraBuffer> traces(Node node, String prefix) {
    if (annotation != LSTM.class) {
      return List.of();
    }
    int steps = node.inputShapes().get(0).dim(0);
    int width = Math.multiplyExact(7, node.decl().attributes().intValue("units"));
    return List.of(new ExtraBuffer(traceSuffix(prefix), Shape.of(steps, width), true));
  }

  private CodeBlock traceArgument(LayerCode code, String prefix) {
    return annotation == LSTM.class
        ? CodeBlock.of(", $L", code.buffer(traceSuffix(prefix)))
        : CodeBlock.of("");
  }

  /** {@code Trace}, or {@code ForwardTrace} with the prefix {@code forward}. */
  private static String traceSuffix(String prefix) {
    String name = name(prefix, "trace");
    return Character.toUpperCase(name.charAt(0)) + name.substring(1);
  }

  @Override
  public List<String> parameterNames() {
    return List.of("kernel", "recurrentKernel", "bias");
  }

  @Override
  public TypeName parametersType() {
    return kernel.nestedClass("Parameters");
  }

  ClassName kernelClass() {
    return kernel;
  }

  private static boolean returnSequences(LayerCode code) {
    return code.layer().attributes().booleanValue("returnSequences");
  }

  /** {@code kernel}, or {@code forwardKernel} with the prefix {@code forward}. */
  static String name(String prefix, String name) {
    return prefix.isEmpty() ? name : prefix + Character.toUpperCase(name.charAt(0)) + name.substring(1);
  }
}
