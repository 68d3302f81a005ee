package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.kiln.Reshape;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Shape;
import java.util.Arrays;

/** {@code @Reshape}: a new shape with the same number of values per sample. */
final class ReshapeKind implements LayerKind {

  private static final ClassName KERNEL = Runtime.kernel("Reshape");

  @Override
  public Class<Reshape> annotation() {
    return Reshape.class;
  }

  @Override
  public String kerasName() {
    return "Reshape";
  }

  @Override
  public Arity arity() {
    return Arity.exactly(1);
  }

  @Override
  public void checkAttributes(LayerDecl layer, Report.Builder report) {
    int[] target = layer.attributes().intArray("targetShape");
    long unknown = Arrays.stream(target).filter(size -> size == -1).count();
    boolean invalid = Arrays.stream(target).anyMatch(size -> size == 0 || size < -1);
    if (target.length == 0 || unknown > 1 || invalid) {
      Attrs.bad(layer, "targetShape", "targetShape " + Arrays.toString(target) + " on "
          + layer.name() + " is not a shape: give positive sizes, with at most one -1 for the size"
          + " that follows from the others", report);
    }
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    LayerDecl layer = context.layer();
    Shape input = context.inputs().get(0);
    int[] target = layer.attributes().intArray("targetShape").clone();
    long known = 1;
    int unknownAxis = -1;
    for (int axis = 0; axis < target.length; axis++) {
      if (target[axis] == -1) {
        unknownAxis = axis;
      } else {
        // Capped just past an int: no input has that many values, so it cannot fit anyway.
        known = Math.min(known * target[axis], (long) Integer.MAX_VALUE + 1);
      }
    }
    long length = input.length();
    boolean fits = length > 0 && (unknownAxis >= 0 ? length % known == 0 : length == known);
    if (!fits) {
      context.error(layer.name() + " reshapes " + context.describeInput(0) + " ("
          + (length < 0 ? "a varying number of" : Long.toString(length)) + " values) to "
          + Arrays.toString(target) + ", but the number of values must stay the same; write -1"
          + " for the size that follows from the others, or sizes whose product is "
          + (length < 0 ? "fixed" : Long.toString(length)),
          "targetShape");
      return null;
    }
    if (unknownAxis >= 0) {
      target[unknownAxis] = (int) (length / known);
    }
    return Shape.of(target);
  }

  /** The same values, row-major, in another shape. */
  @Override
  public Identity identity(LayerDecl layer) {
    return Identity.ALWAYS;
  }

  @Override
  public CodeBlock forward(LayerCode code) {
    return CodeBlock.of("$T.forward($L, $L);\n", KERNEL, code.input(0), code.output());
  }

  @Override
  public CodeBlock backward(LayerCode code) {
    return CodeBlock.of("$T.backward($L, $L);\n", KERNEL, code.outputGradient(),
        code.inputGradient(0));
  }
}
