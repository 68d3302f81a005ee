package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.kiln.GlobalAveragePooling2D;
import dev.kiln.GlobalMaxPooling2D;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.lang.annotation.Annotation;

/** {@code @GlobalAveragePooling2D} and {@code @GlobalMaxPooling2D}: one value per channel. */
final class GlobalPoolingKind implements LayerKind {

  static final GlobalPoolingKind AVERAGE =
      new GlobalPoolingKind(
          GlobalAveragePooling2D.class, "GlobalAveragePooling2D", "GlobalAveragePooling2D", false);
  static final GlobalPoolingKind MAX =
      new GlobalPoolingKind(
          GlobalMaxPooling2D.class, "GlobalMaxPooling2D", "GlobalMaxPool2D", true);

  private final Class<? extends Annotation> annotation;
  private final String kerasName;
  private final ClassName kernel;
  private final boolean backwardReadsInput;

  private GlobalPoolingKind(
      Class<? extends Annotation> annotation,
      String kerasName,
      String kernel,
      boolean backwardReadsInput) {
    this.annotation = annotation;
    this.kerasName = kerasName;
    this.kernel = Runtime.kernel(kernel);
    this.backwardReadsInput = backwardReadsInput;
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
  public Shape outputShape(ShapeContext context) {
    Shape input = context.inputs().get(0);
    if (!Windows.isImage(context)) {
      return null;
    }
    return Shape.of(input.dim(2));
  }

  /** One comparison or addition per input value (and a division per output for the average); backward, one per input value. */
  @Override
  public Flops flops(Node node) {
    long in = node.inputShapes().get(0).length();
    return Flops.elementwise(in + (backwardReadsInput ? 0 : node.shape().length()), in, 1);
  }

  @Override
  public CodeBlock forward(LayerCode code) {
    return CodeBlock.of("$T.forward($L, $L);\n", kernel, code.input(0), code.output());
  }

  @Override
  public CodeBlock backward(LayerCode code) {
    return backwardReadsInput
        ? CodeBlock.of("$T.backward($L, $L, $L);\n", kernel, code.input(0), code.outputGradient(),
            code.inputGradient(0))
        : CodeBlock.of("$T.backward($L, $L);\n", kernel, code.outputGradient(),
            code.inputGradient(0));
  }
}
