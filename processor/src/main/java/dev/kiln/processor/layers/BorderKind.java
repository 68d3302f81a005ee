package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.kiln.Cropping2D;
import dev.kiln.ZeroPadding2D;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Shape;
import java.lang.annotation.Annotation;

/** {@code @Cropping2D} and {@code @ZeroPadding2D}: rows and columns removed or added at borders. */
final class BorderKind implements LayerKind {

  static final BorderKind CROPPING = new BorderKind(Cropping2D.class, "cropping", -1);
  static final BorderKind ZERO_PADDING = new BorderKind(ZeroPadding2D.class, "padding", 1);

  private final Class<? extends Annotation> annotation;
  private final String attribute;
  private final int sign;
  private final ClassName kernel;

  private BorderKind(Class<? extends Annotation> annotation, String attribute, int sign) {
    this.annotation = annotation;
    this.attribute = attribute;
    this.sign = sign;
    this.kernel = Runtime.kernel(annotation.getSimpleName());
  }

  @Override
  public Class<? extends Annotation> annotation() {
    return annotation;
  }

  @Override
  public String kerasName() {
    return annotation.getSimpleName();
  }

  @Override
  public Arity arity() {
    return Arity.exactly(1);
  }

  @Override
  public void checkAttributes(LayerDecl layer, Report.Builder report) {
    Attrs.checkSides(layer, attribute, report);
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    Shape input = context.inputs().get(0);
    LayerDecl layer = context.layer();
    if (!Windows.isImage(context)) {
      return null;
    }
    int[] sides = Attrs.sides(layer, attribute);
    int rows = Math.toIntExact(input.dim(0) + sign * ((long) sides[0] + sides[1]));
    int columns = Math.toIntExact(input.dim(1) + sign * ((long) sides[2] + sides[3]));
    if (rows < 1 || columns < 1) {
      context.error(layer.name() + " crops " + context.describeInput(0) + " to nothing ("
          + rows + "x" + columns + "); crop less", attribute);
      return null;
    }
    return Shape.of(rows, columns, input.dim(2));
  }

  @Override
  public CodeBlock forward(LayerCode code) {
    int[] s = Attrs.sides(code.layer(), attribute);
    return CodeBlock.of("$T.forward($L, $L, $L, $L, $L, $L);\n", kernel, code.input(0), s[0], s[1],
        s[2], s[3], code.output());
  }

  @Override
  public CodeBlock backward(LayerCode code) {
    int[] s = Attrs.sides(code.layer(), attribute);
    return CodeBlock.of("$T.backward($L, $L, $L, $L, $L, $L);\n", kernel, code.outputGradient(),
        s[0], s[1], s[2], s[3], code.inputGradient(0));
  }
}
