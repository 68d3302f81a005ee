package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.kiln.UpSampling1D;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.check.Tag;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;

/** {@code @UpSampling1D}: repeats each step of a sequence. */
final class UpSampling1DKind implements LayerKind {

  private static final ClassName KERNEL = Runtime.kernel("UpSampling1D");

  @Override
  public Class<UpSampling1D> annotation() {
    return UpSampling1D.class;
  }

  @Override
  public String kerasName() {
    return "UpSampling1D";
  }

  @Override
  public Arity arity() {
    return Arity.exactly(1);
  }

  @Override
  public void checkAttributes(LayerDecl layer, Report.Builder report) {
    int size = size(layer);
    if (size < 1) {
      Attrs.bad(layer, "size", "size = " + size + " on " + layer.name() + ", but each step is"
          + " repeated at least once; use size = 1 or more", report);
    }
  }

  private static int size(LayerDecl layer) {
    return layer.attributes().intValue("size");
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    if (!SequenceWindows.isSequence(context)) {
      return null;
    }
    Shape input = context.inputs().get(0);
    int size = size(context.layer());
    if (input.dim(0) == Shape.VARIABLE) {
      if (size == 1) {
        return input;
      }
      context.error(Tag.UNSUPPORTED, context.layer().name() + " would change the length of its"
          + " input " + context.describeInput(0) + ", whose steps vary; Kiln sizes every sequence"
          + " buffer with the input's one length, so give the input's steps a size", "size");
      return null;
    }
    return Shape.of(Math.multiplyExact(input.dim(0), size), input.dim(1));
  }

  /** A copy forward; backward, the gradients of each input value's copies summed, one add per output value. */
  @Override
  public Flops flops(Node node) {
    return Flops.elementwise(0, node.shape().length(), 1);
  }

  @Override
  public CodeBlock forward(LayerCode code) {
    return CodeBlock.of("$T.forward($L, $L, $L);\n", KERNEL, code.input(0), size(code.layer()),
        code.output());
  }

  @Override
  public CodeBlock backward(LayerCode code) {
    return CodeBlock.of("$T.backward($L, $L, $L);\n", KERNEL, code.outputGradient(),
        size(code.layer()), code.inputGradient(0));
  }
}
