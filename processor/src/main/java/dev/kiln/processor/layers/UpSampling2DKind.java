package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.kiln.UpSampling2D;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;

/** {@code @UpSampling2D}: repeats rows and columns. */
final class UpSampling2DKind implements LayerKind {

  private static final ClassName KERNEL = Runtime.kernel("UpSampling2D");

  @Override
  public Class<UpSampling2D> annotation() {
    return UpSampling2D.class;
  }

  @Override
  public String kerasName() {
    return "UpSampling2D";
  }

  @Override
  public Arity arity() {
    return Arity.exactly(1);
  }

  @Override
  public void checkAttributes(LayerDecl layer, Report.Builder report) {
    Attrs.checkPair(layer, "size", 1, report);
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    Shape input = context.inputs().get(0);
    if (!Windows.isImage(context)) {
      return null;
    }
    int[] size = Attrs.pair(context.layer(), "size");
    return Shape.of(Math.multiplyExact(input.dim(0), size[0]),
        Math.multiplyExact(input.dim(1), size[1]), input.dim(2));
  }

  /** A copy forward; backward, the gradients of each input value's copies summed, one add per output value. */
  @Override
  public Flops flops(Node node) {
    return Flops.elementwise(0, node.shape().length(), 1);
  }

  @Override
  public CodeBlock forward(LayerCode code) {
    int[] size = Attrs.pair(code.layer(), "size");
    return CodeBlock.of("$T.forward($L, $L, $L, $L);\n", KERNEL, code.input(0), size[0], size[1],
        code.output());
  }

  @Override
  public CodeBlock backward(LayerCode code) {
    int[] size = Attrs.pair(code.layer(), "size");
    return CodeBlock.of("$T.backward($L, $L, $L, $L);\n", KERNEL, code.outputGradient(), size[0],
        size[1], code.inputGradient(0));
  }
}
