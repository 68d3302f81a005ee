package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.kiln.Activation;
import dev.kiln.Dense;
import dev.kiln.Initializer;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.check.Tag;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.util.ArrayList;
import java.util.List;

/** {@code @Dense}: {@code x . kernel + bias} over the last axis. */
final class DenseKind implements LayerKind {

  private static final ClassName KERNEL = Runtime.kernel("Dense");

  @Override
  public Class<Dense> annotation() {
    return Dense.class;
  }

  @Override
  public String kerasName() {
    return "Dense";
  }

  @Override
  public Arity arity() {
    return Arity.exactly(1);
  }

  /** As Keras' Dense: each step is computed alone, so the steps' mask still holds. */
  @Override
  public MaskUse maskUse(Node node) {
    return MaskUse.PASSES;
  }

  @Override
  public void checkAttributes(LayerDecl layer, Report.Builder report) {
    Attrs.checkPositive(layer, "units", "unit", report);
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    Shape input = context.inputs().get(0);
    if (input.rank() == 0 || input.last() == Shape.VARIABLE) {
      context.errorAtInput(
          0,
          context.layer().name() + " is a Dense layer, which needs a known last axis to size"
              + " its kernel, but its input is "
              + context.describeInput(0)
              + "; give that axis a size, or Flatten first");
      return null;
    }
    // On images, Dense mixes channels per position, which is rarely meant; warn once per chain.
    boolean afterDense = context.producer(0).decl().kind() instanceof DenseKind;
    if (input.rank() >= 3 && !afterDense) {
      context.warning(
          Tag.DENSE_ON_LAST_AXIS,
          context.layer().name() + " is a Dense layer on the rank-" + (input.rank() + 1)
              + " tensor " + context.describeInput(0) + ": it acts on the last axis only and"
              + " outputs " + input.withLast(units(context.layer())).withBatch()
              + ", as in Keras; add @Flatten before it to connect every feature");
    }
    return input.withLast(units(context.layer()));
  }

  @Override
  public List<ParamDecl> parameters(LayerDecl layer, List<Shape> inputs) {
    int in = inputs.get(0).last();
    int units = units(layer);
    List<ParamDecl> params = new ArrayList<>();
    params.add(
        new ParamDecl(
            "kernel",
            Shape.of(in, units),
            layer.attributes().enumValue("kernelInitializer", Initializer.class),
            in,
            units));
    if (layer.attributes().booleanValue("useBias")) {
      params.add(
          new ParamDecl(
              "bias",
              Shape.of(units),
              layer.attributes().enumValue("biasInitializer", Initializer.class),
              in,
              units));
    }
    return params;
  }

  @Override
  public Activation activation(LayerDecl layer) {
    return layer.attributes().enumValue("activation", Activation.class);
  }

  /**
   * {@code in * units} multiply-adds at every position (every index of the axes before the last),
   * plus the bias; backward: the kernel's gradient and the input's, one product each.
   */
  @Override
  public Flops flops(Node node) {
    Shape input = node.inputShapes().get(0);
    long in = input.last();
    long positions = input.length() / in;
    long units = units(node.decl());
    Flops product = Flops.product(Math.multiplyExact(positions, Math.multiplyExact(in, units)));
    return node.decl().attributes().booleanValue("useBias")
        ? product.plus(Flops.bias(positions, units, 1))
        : product;
  }

  @Override
  public CodeBlock forward(LayerCode code) {
    return productCall("forward", code);
  }

  /** {@code Dense.<method>(input, kernel, bias, output)}: the plain and the ReLU forward pass. */
  private static CodeBlock productCall(String method, LayerCode code) {
    return CodeBlock.of(
        "$T.$L($L, $L, $L, $L);\n",
        KERNEL,
        method,
        code.input(0),
        code.param("kernel"),
        code.param("bias"),
        code.output());
  }

  /**
   * ReLU: {@code Dense.forwardRelu}, the bias and the ReLU in one pass. GELU: {@code
   * Dense.forwardGelu}, the bias and the GELU in one pass over the product, which in training
   * also writes GELU's derivative into the pre-activation buffer.
   */
  @Override
  public CodeBlock forwardWithActivation(LayerCode code, Activation activation) {
    if (activation == Activation.RELU) {
      return productCall("forwardRelu", code);
    }
    if (activation == Activation.GELU && keepsProduct(code)) {
      return CodeBlock.of(
          "$T.forwardGelu($L, $L, $L, $L, $L, $L);\n",
          KERNEL,
          code.input(0),
          code.param("kernel"),
          code.param("bias"),
          code.output(),
          code.activated(),
          code.training());
    }
    return null;
  }

  /** Whether the layer's product has a buffer apart from its activation's output. */
  private static boolean keepsProduct(LayerCode code) {
    return !code.output().toString().equals(code.activated().toString());
  }

  @Override
  public CodeBlock backward(LayerCode code) {
    return CodeBlock.of(
        "$T.backward($L, $L, $L, $L, $L, $L);\n",
        KERNEL,
        code.input(0),
        code.param("kernel"),
        code.outputGradient(),
        code.grad("kernel"),
        code.grad("bias"),
        code.inputGradient(0));
  }

  /**
   * ReLU: {@code Dense.backwardRelu}, ReLU's gradient and the bias gradient in one pass. GELU:
   * {@code Dense.backwardGeluFromSlope}, the same for GELU, multiplying by the derivative the
   * forward pass left in the pre-activation buffer.
   */
  @Override
  public CodeBlock backwardWithActivation(LayerCode code, Activation activation) {
    String method = activation == Activation.RELU ? "backwardRelu"
        : activation == Activation.GELU && keepsProduct(code) ? "backwardGeluFromSlope"
        : null;
    if (method == null) {
      return null;
    }
    return CodeBlock.of(
        "$T.$L($L, $L, $L, $L, $L, $L, $L);\n",
        KERNEL,
        method,
        code.input(0),
        code.param("kernel"),
        code.output(),
        code.outputGradient(),
        code.grad("kernel"),
        code.grad("bias"),
        code.inputGradient(0));
  }

  /** Its input gradient is the last product of every backward pass, which can add to its output. */
  @Override
  public boolean addsInputGradient(LayerDecl layer) {
    return true;
  }

  /**
   * {@code Dense.addInputGradient}: {@code into += dOut . kernel^T} in the product, from the
   * gradient before the activation that the backward call left in the output gradient.
   */
  @Override
  public CodeBlock addInputGradient(LayerCode code, CodeBlock into) {
    return CodeBlock.of("$T.addInputGradient($L, $L, $L);\n", KERNEL, code.outputGradient(),
        code.param("kernel"), into);
  }

  @Override
  public List<String> parameterNames() {
    return List.of("kernel", "bias");
  }

  @Override
  public TypeName parametersType() {
    return KERNEL.nestedClass("Parameters");
  }

  private static int units(LayerDecl layer) {
    return layer.attributes().intValue("units");
  }
}
