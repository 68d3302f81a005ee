package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.kiln.GlobalAveragePooling1D;
import dev.kiln.GlobalMaxPooling1D;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.lang.annotation.Annotation;

/** {@code @GlobalAveragePooling1D} and {@code @GlobalMaxPooling1D}: one value per channel over all steps. */
final class GlobalPooling1DKind implements LayerKind {

  static final GlobalPooling1DKind AVERAGE =
      new GlobalPooling1DKind(GlobalAveragePooling1D.class, false);
  static final GlobalPooling1DKind MAX = new GlobalPooling1DKind(GlobalMaxPooling1D.class, true);

  private final Class<? extends Annotation> annotation;
  private final ClassName kernel;
  private final boolean backwardReadsInput;

  private GlobalPooling1DKind(Class<? extends Annotation> annotation, boolean backwardReadsInput) {
    this.annotation = annotation;
    this.kernel = Runtime.kernel(annotation.getSimpleName());
    this.backwardReadsInput = backwardReadsInput;
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
  public Shape outputShape(ShapeContext context) {
    return SequenceWindows.isSequence(context) ? Shape.of(context.inputs().get(0).dim(1)) : null;
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
