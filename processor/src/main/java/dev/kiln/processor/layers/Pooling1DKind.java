package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.kiln.AveragePooling1D;
import dev.kiln.MaxPooling1D;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.lang.annotation.Annotation;
import java.util.List;

/** {@code @MaxPooling1D} and {@code @AveragePooling1D}: a statistic of each window of steps, per channel. */
final class Pooling1DKind implements LayerKind {

  static final Pooling1DKind MAX = new Pooling1DKind(MaxPooling1D.class);
  static final Pooling1DKind AVERAGE = new Pooling1DKind(AveragePooling1D.class);

  private final Class<? extends Annotation> annotation;
  private final ClassName kernel;

  private Pooling1DKind(Class<? extends Annotation> annotation) {
    this.annotation = annotation;
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
    SequenceWindows.checkAttributes(layer, false, report);
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    if (!SequenceWindows.isSequence(context)) {
      return null;
    }
    int steps = SequenceWindows.outputSteps(context);
    return steps == 0 ? null : Shape.of(steps, context.inputs().get(0).dim(1));
  }

  /**
   * One comparison (max) or addition (average, plus its division) per window element and output
   * value; backward, the same again to route or spread the gradient over the windows.
   */
  @Override
  public Flops flops(Node node) {
    long window = node.decl().attributes().intValue("poolSize")
        + (annotation == AveragePooling1D.class ? 1 : 0);
    long flops = Math.multiplyExact(node.shape().length(), window);
    return Flops.elementwise(flops, flops, 1);
  }

  @Override
  public List<Constant> constants(LayerDecl layer) {
    return List.of(new Constant("WINDOW", SequenceWindows.WINDOW, SequenceWindows.window(layer)));
  }

  @Override
  public CodeBlock forward(LayerCode code) {
    return CodeBlock.of("$T.forward($L, $L, $L);\n", kernel, code.input(0),
        code.constant("WINDOW"), code.output());
  }

  @Override
  public CodeBlock backward(LayerCode code) {
    return CodeBlock.of("$T.backward($L, $L, $L, $L);\n", kernel, code.input(0),
        code.outputGradient(), code.constant("WINDOW"), code.inputGradient(0));
  }
}
