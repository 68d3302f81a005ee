package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.kiln.Concatenate;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.util.ArrayList;
import java.util.List;

/** {@code @Concatenate}: joins its inputs along one axis. */
final class ConcatenateKind implements LayerKind {

  private static final ClassName KERNEL = Runtime.kernel("Concatenate");

  /** How to make two tensors' sizes agree, when no rounding by a window explains why not. */
  static final String SAME_SIZES = " Bring one to the other's sizes first: @Reshape or @Flatten"
      + " for its rank, @Cropping2D or @ZeroPadding2D for rows and columns, a @Dense or 1x1"
      + " @Conv2D for the last axis.";

  @Override
  public Class<Concatenate> annotation() {
    return Concatenate.class;
  }

  @Override
  public String kerasName() {
    return "Concatenate";
  }

  @Override
  public Arity arity() {
    return Arity.atLeast(2);
  }

  /** On the features axis, the AND of the inputs' masks, as Keras'. */
  @Override
  public MaskUse maskUse(Node node) {
    // Joined along the features, steps stay steps; joined along the steps, the mask would need
    // joining too, which Kiln does not do.
    int rank = node.shape().rank();
    return rank == 2 && fullAxis(node.decl().attributes().intValue("axis"), rank) == rank
        ? MaskUse.PASSES
        : MaskUse.DROPS;
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    LayerDecl layer = context.layer();
    List<Shape> inputs = context.inputs();
    int rank = inputs.get(0).rank();
    int written = layer.attributes().intValue("axis");
    int axis = fullAxis(written, rank);
    if (axis < 1 || axis > rank) {
      // Axes count the batch axis, as in Keras: a rank-1 sample (None, n) has axes 0 and 1.
      String why = axis == 0
          ? "axis 0 is the batch axis (axes count it, as in Keras), and a layer joins the tensors"
              + " of each sample, not the samples of a batch"
          : "its inputs, such as " + context.describeInput(0) + ", have " + (rank + 1)
              + " axes, numbered from 0 (the batch axis) to " + rank;
      String fix = rank == 1
          ? "use axis = 1 or -1, the features axis"
          : "use an axis from 1 to " + rank + ", or -1 for the last";
      context.error(
          layer.name() + " concatenates on axis " + written + ", but " + why + "; " + fix, "axis");
      return null;
    }
    int joined = 0;
    for (int i = 0; i < inputs.size(); i++) {
      Shape input = inputs.get(i);
      if (input.rank() != rank || !sameExcept(inputs.get(0), input, axis - 1)) {
        String explanation = Downsampling.explain(context.producers(0), context.producers(i));
        context.errorAtInput(i, layer.name() + " concatenates " + context.describeInput(0)
            + " with " + context.describeInput(i) + " on axis " + written + "; all other axes"
            + " must match." + (explanation.isEmpty() ? SAME_SIZES : explanation));
        return null;
      }
      if (input.dim(axis - 1) == Shape.VARIABLE) {
        context.error(layer.name() + " concatenates on axis " + written + ", whose length varies"
            + " in " + context.describeInput(i) + "; the joined length would be unknown to the"
            + " layers after it. Concatenate on the features axis (-1) instead", "axis");
        return null;
      }
      joined = Math.addExact(joined, input.dim(axis - 1));
    }
    List<Integer> dims = new ArrayList<>(inputs.get(0).dims());
    dims.set(axis - 1, joined);
    return new Shape(dims);
  }

  @Override
  public CodeBlock forward(LayerCode code) {
    List<CodeBlock> parts = new ArrayList<>();
    for (int i = 0; i < code.layer().inputs().size(); i++) {
      parts.add(code.input(i));
    }
    return CodeBlock.of("$T.forward($L, $L, $L);\n", KERNEL, axis(code), code.output(),
        CodeBlock.join(parts, ", "));
  }

  @Override
  public CodeBlock backward(LayerCode code) {
    int count = code.layer().inputs().size();
    List<CodeBlock> parts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      parts.add(code.inputGradient(i));
    }
    if (!gradientLessPartBetweenOthers(code, count) && !partBetweenGradientLessOnes(code, count)) {
      return CodeBlock.of("$T.backward($L, $L, $L);\n", KERNEL, axis(code), code.outputGradient(),
          CodeBlock.join(parts, ", "));
    }
    // A part without gradient between parts with one: where each slice starts must be told.
    int axis = axis(code) - 1;
    List<String> sizes = code.inputShapes().stream().map(shape -> shape.dim(axis) + "L").toList();
    return CodeBlock.of("$T.backwardWithSizes($L, $L, new long[] {$L}, $L);\n", KERNEL, axis(code),
        code.outputGradient(), String.join(", ", sizes), CodeBlock.join(parts, ", "));
  }

  /**
   * Whether a part with a gradient lies between two parts without (model inputs): the runtime's
   * backward places slices from the start up to the first part without a gradient and from the
   * end back to the last one, so such a part needs the sizes too.
   */
  private static boolean partBetweenGradientLessOnes(LayerCode code, int count) {
    int first = -1;
    int last = -1;
    for (int i = 0; i < count; i++) {
      if (!code.needsInputGradient(i)) {
        first = first < 0 ? i : first;
        last = i;
      }
    }
    for (int i = first + 1; i < last; i++) {
      if (code.needsInputGradient(i)) {
        return true;
      }
    }
    return false;
  }

  private static boolean gradientLessPartBetweenOthers(LayerCode code, int count) {
    int first = -1;
    int last = -1;
    for (int i = 0; i < count; i++) {
      if (code.needsInputGradient(i)) {
        first = first < 0 ? i : first;
        last = i;
      }
    }
    for (int i = first + 1; i < last; i++) {
      if (!code.needsInputGradient(i)) {
        return true;
      }
    }
    return false;
  }

  private static int axis(LayerCode code) {
    return fullAxis(code.layer().attributes().intValue("axis"), code.inputShapes().get(0).rank());
  }

  /** Keras' axis (0 the batch axis, negative from the end) as an index of the full array. */
  static int fullAxis(int axis, int sampleRank) {
    return axis < 0 ? sampleRank + 1 + axis : axis;
  }

  private static boolean sameExcept(Shape a, Shape b, int skipped) {
    for (int i = 0; i < a.rank(); i++) {
      if (i != skipped && a.dim(i) != b.dim(i)) {
        return false;
      }
    }
    return true;
  }
}
