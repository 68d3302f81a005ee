package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.kiln.AveragePooling2D;
import dev.kiln.MaxPooling2D;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.lang.annotation.Annotation;
import java.util.List;

/** {@code @MaxPooling2D} and {@code @AveragePooling2D}: a statistic of each window, per channel. */
final class PoolingKind implements LayerKind {

  static final PoolingKind MAX = new PoolingKind(MaxPooling2D.class, "MaxPooling2D", "MaxPool2D");
  static final PoolingKind AVERAGE =
      new PoolingKind(AveragePooling2D.class, "AveragePooling2D", "AveragePooling2D");

  private final Class<? extends Annotation> annotation;
  private final String kerasName;
  private final ClassName kernel;

  private PoolingKind(Class<? extends Annotation> annotation, String kerasName, String kernel) {
    this.annotation = annotation;
    this.kerasName = kerasName;
    this.kernel = Runtime.kernel(kernel);
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
    Windows.checkAttributes(layer, report);
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    Shape input = context.inputs().get(0);
    return Windows.outputImage(context, input.rank() == 3 ? input.dim(2) : 0);
  }

  /**
   * One comparison (max) or addition (average, plus its division) per window element and output
   * value; backward, the same again to route or spread the gradient over the windows.
   */
  @Override
  public Flops flops(Node node) {
    int[] size = Windows.size(node.decl());
    long window = (long) size[0] * size[1] + (annotation == AveragePooling2D.class ? 1 : 0);
    long flops = Math.multiplyExact(node.shape().length(), window);
    return Flops.elementwise(flops, flops, 1);
  }

  @Override
  public List<Constant> constants(LayerDecl layer) {
    return List.of(new Constant("WINDOW", Windows.WINDOW, Windows.window(layer)));
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

  /**
   * Max pooling routes each window's gradient to its largest cell, which a ReLU before it let
   * through exactly when the window's maximum is positive: the runtime does both in one pass.
   * Forward, the ReLU of the window's maximum is the maximum of the ReLU's outputs, so it runs
   * on the pooled values, a fraction of the image.
   */
  @Override
  public boolean goesBackwardThroughRelu(LayerDecl layer) {
    return annotation == MaxPooling2D.class;
  }

  @Override
  public CodeBlock forwardThroughRelu(LayerCode code) {
    return CodeBlock.of("$T.forwardRelu($L, $L, $L);\n", kernel, code.input(0),
        code.constant("WINDOW"), code.output());
  }

  @Override
  public CodeBlock backwardThroughRelu(LayerCode code) {
    return CodeBlock.of("$T.backwardThroughRelu($L, $L, $L, $L);\n", kernel, code.input(0),
        code.outputGradient(), code.constant("WINDOW"), code.inputGradient(0));
  }
}
