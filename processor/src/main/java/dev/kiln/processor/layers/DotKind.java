package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.kiln.Dot;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.check.Tag;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code @Dot(axes = ...)}: Keras' batch dot product of two inputs, each a vector or a matrix per
 * sample, contracted over one axis of each.
 */
final class DotKind implements LayerKind {

  private static final ClassName KERNEL = Runtime.kernel("Dot");

  @Override
  public Class<Dot> annotation() {
    return Dot.class;
  }

  @Override
  public String kerasName() {
    return "Dot";
  }

  @Override
  public Arity arity() {
    return Arity.exactly(2);
  }

  @Override
  public void checkAttributes(LayerDecl layer, Report.Builder report) {
    int count = layer.attributes().intArray("axes").length;
    if (count < 1 || count > 2) {
      Attrs.bad(layer, "axes", "axes of " + layer.name() + " has " + count + " values, but it"
          + " takes one for both inputs or one per input; write axes = -1 or axes = {2, 1}",
          report);
    }
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    LayerDecl layer = context.layer();
    int[] written = layer.attributes().intArray("axes");
    if (written.length < 1 || written.length > 2) {
      return null; // reported by checkAttributes
    }
    int[] axes = new int[2];
    for (int i = 0; i < 2; i++) {
      Shape input = context.inputs().get(i);
      if (input.rank() > 2) {
        context.errorAtInput(Tag.UNSUPPORTED, i, layer.name() + " takes vectors or matrices per"
            + " sample, but input " + (i + 1) + " is " + context.describeInput(i) + "; @Reshape"
            + " or @Flatten it to (None, k) or (None, p, k) first");
        return null;
      }
      if (input.length() < 0) {
        context.errorAtInput(Tag.UNSUPPORTED, i, layer.name() + " needs every size of its"
            + " inputs, but input "
            + (i + 1) + " is " + context.describeInput(i) + ", whose length varies");
        return null;
      }
      int axis = written[written.length == 1 ? 0 : i];
      axes[i] = ConcatenateKind.fullAxis(axis, input.rank());
      if (axes[i] < 1 || axes[i] > input.rank()) {
        context.error(layer.name() + " contracts axis " + axis + " of input " + (i + 1) + ", "
            + context.describeInput(i) + ", which has axes 1 to " + input.rank() + " besides"
            + " the batch axis 0; use an axis from 1 to " + input.rank() + ", or -1 for the"
            + " last", "axes");
        return null;
      }
    }
    Shape first = context.inputs().get(0);
    Shape second = context.inputs().get(1);
    int sizeA = first.dim(axes[0] - 1);
    int sizeB = second.dim(axes[1] - 1);
    if (sizeA != sizeB) {
      context.errorAtInput(1, layer.name() + " multiplies axis " + axes[0] + " of "
          + context.describeInput(0) + " (size " + sizeA + ") with axis " + axes[1] + " of "
          + context.describeInput(1) + " (size " + sizeB + "); the two sizes must be equal."
          + " Choose other axes, or bring one to the other's size with a @Dense");
      return null;
    }
    List<Integer> dims = new ArrayList<>();
    addFree(first, axes[0], dims);
    addFree(second, axes[1], dims);
    if (dims.isEmpty()) {
      dims.add(1);
    }
    return Shape.of(dims.stream().mapToInt(Integer::intValue).toArray());
  }

  private static void addFree(Shape input, int axis, List<Integer> dims) {
    for (int i = 1; i <= input.rank(); i++) {
      if (i != axis) {
        dims.add(input.dim(i - 1));
      }
    }
  }

  /**
   * One multiply-add per output value and contracted index, plus 3 FLOPs per input value when
   * normalizing (square, sum, division); backward, a product for each input's gradient (and the
   * normalization's again).
   */
  @Override
  public Flops flops(Node node) {
    int[] written = node.decl().attributes().intArray("axes");
    Shape first = node.inputShapes().get(0);
    long contracted = first.dim(ConcatenateKind.fullAxis(written[0], first.rank()) - 1);
    long multiplyAdds = Math.multiplyExact(node.shape().length(), contracted);
    List<Long> backward = new ArrayList<>();
    long normalizing = 0;
    for (Shape input : node.inputShapes()) {
      long normalize = node.decl().attributes().booleanValue("normalize") ? 3 * input.length() : 0;
      normalizing += normalize;
      backward.add(2 * multiplyAdds + normalize);
    }
    return new Flops(2 * multiplyAdds + normalizing, 0, backward);
  }

  @Override
  public CodeBlock forward(LayerCode code) {
    return CodeBlock.of("$T.forward($L, $L, $L, $L, $L, $L);\n", KERNEL, code.input(0),
        code.input(1), axis(code, 0), axis(code, 1), normalize(code), code.output());
  }

  @Override
  public CodeBlock backward(LayerCode code) {
    if (!code.needsInputGradient(0) && !code.needsInputGradient(1)) {
      return CodeBlock.of("");
    }
    return CodeBlock.of("$T.backward($L, $L, $L, $L, $L, $L, $L, $L);\n", KERNEL, code.input(0),
        code.input(1), axis(code, 0), axis(code, 1), normalize(code), code.outputGradient(),
        code.inputGradient(0), code.inputGradient(1));
  }

  /** Input {@code index}'s contracted axis, from 1, as the runtime kernel takes it. */
  private static int axis(LayerCode code, int index) {
    int[] written = code.layer().attributes().intArray("axes");
    int axis = written[written.length == 1 ? 0 : index];
    return ConcatenateKind.fullAxis(axis, code.inputShapes().get(index).rank());
  }

  private static boolean normalize(LayerCode code) {
    return code.layer().attributes().booleanValue("normalize");
  }
}
