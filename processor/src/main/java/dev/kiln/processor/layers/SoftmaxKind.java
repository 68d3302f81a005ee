package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.kiln.Activation;
import dev.kiln.Softmax;
import dev.kiln.processor.check.Tag;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;

/**
 * {@code @Softmax(axis = ...)}. Over the last axis it is the {@code SOFTMAX} activation around a
 * copy, as {@code @ActivationLayer(SOFTMAX)}, so that a cross-entropy output fuses with it; over
 * another axis it runs the runtime's softmax along that axis, whose backward pass reads the
 * output.
 */
final class SoftmaxKind implements LayerKind {

  private static final ClassName KERNEL = Runtime.kernel("Softmax");

  @Override
  public Class<Softmax> annotation() {
    return Softmax.class;
  }

  @Override
  public String kerasName() {
    return "Softmax";
  }

  @Override
  public Arity arity() {
    return Arity.exactly(1);
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    Shape input = context.inputs().get(0);
    int written = context.layer().attributes().intValue("axis");
    int axis = ConcatenateKind.fullAxis(written, input.rank());
    if (axis < 1 || axis > input.rank()) {
      context.error(context.layer().name() + " normalises axis " + written + ", but its input "
          + context.describeInput(0) + " has axes 1 to " + input.rank() + " besides the batch"
          + " axis 0 (whose samples a softmax does not mix); use an axis from 1 to "
          + input.rank() + ", or -1 for the last", "axis");
      return null;
    }
    if (input.dim(axis - 1) == Shape.VARIABLE && axis != input.rank()) {
      context.errorAtInput(Tag.UNSUPPORTED, 0, context.layer().name() + " normalises axis "
          + written + " of "
          + context.describeInput(0) + ", whose length varies; Kiln's softmax over a variable"
          + " axis is not supported, so normalise a fixed one");
      return null;
    }
    return input;
  }

  @Override
  public Activation activation(LayerDecl layer) {
    return overLastAxis(layer) ? Activation.SOFTMAX : Activation.LINEAR;
  }

  /**
   * Over the last axis this is the {@code SOFTMAX} activation, counted as every activation is;
   * over another axis, 3 FLOPs per element each way, as that activation.
   */
  @Override
  public Flops flops(Node node) {
    if (overLastAxis(node.decl())) {
      return Flops.none(1);
    }
    long elements = ActivationFlops.forward(Activation.SOFTMAX, node.shape().length());
    return Flops.elementwise(elements, elements, 1);
  }

  @Override
  public CodeBlock forward(LayerCode code) {
    if (overLastAxis(code.layer())) {
      return CodeBlock.of("$L.assign($L);\n", code.output(), code.input(0));
    }
    return CodeBlock.of("$T.forward($L, $L, $L);\n", KERNEL, code.input(0), axis(code),
        code.output());
  }

  @Override
  public CodeBlock backward(LayerCode code) {
    if (!code.needsInputGradient(0)) {
      return CodeBlock.of("");
    }
    if (overLastAxis(code.layer())) {
      return CodeBlock.of("$L.assign($L);\n", code.inputGradient(0), code.outputGradient());
    }
    return CodeBlock.of("$T.backward($L, $L, $L, $L);\n", KERNEL, code.output(), axis(code),
        code.outputGradient(), code.inputGradient(0));
  }

  /** Whether the axis is the last, which the input's rank decides for a positive axis. */
  private static boolean overLastAxis(LayerDecl layer) {
    return layer.attributes().intValue("axis") == -1;
  }

  private static int axis(LayerCode code) {
    return ConcatenateKind.fullAxis(code.layer().attributes().intValue("axis"),
        code.inputShapes().get(0).rank());
  }
}
