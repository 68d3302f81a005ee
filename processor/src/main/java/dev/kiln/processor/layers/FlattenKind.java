package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.kiln.Flatten;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Shape;

/** {@code @Flatten}: each sample to one axis, in channels-last order. */
final class FlattenKind implements LayerKind {

  private static final ClassName KERNEL = Runtime.kernel("Flatten");

  @Override
  public Class<Flatten> annotation() {
    return Flatten.class;
  }

  @Override
  public String kerasName() {
    return "Flatten";
  }

  @Override
  public Arity arity() {
    return Arity.exactly(1);
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    Shape input = context.inputs().get(0);
    if (input.length() < 0) {
      context.errorAtInput(0, context.layer().name() + " flattens " + context.describeInput(0)
          + ", whose length varies, but Flatten needs every axis to have a size; read the"
          + " sequence with a recurrent layer (returnSequences = false), or give its steps a"
          + " size");
      return null;
    }
    return Shape.of(Math.toIntExact(input.length()));
  }

  /** The same values, row-major, in one axis. */
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
