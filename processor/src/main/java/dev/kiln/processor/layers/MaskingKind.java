package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.kiln.Masking;
import dev.kiln.processor.check.Tag;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;

/**
 * {@code @Masking}: masks the steps of a sequence whose features all equal {@code maskValue},
 * and zeroes them, as Keras multiplies its output by the mask.
 */
final class MaskingKind implements LayerKind {

  private static final ClassName KERNEL = Runtime.kernel("Masking");

  @Override
  public Class<Masking> annotation() {
    return Masking.class;
  }

  @Override
  public String kerasName() {
    return "Masking";
  }

  @Override
  public Arity arity() {
    return Arity.exactly(1);
  }

  @Override
  public MaskUse maskUse(Node node) {
    return MaskUse.MAKES;
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    LayerDecl layer = context.layer();
    Shape input = context.inputs().get(0);
    if (input.rank() == 1) {
      context.errorAtInput(0, layer.name() + " masks the steps of a sequence (steps, features),"
          + " but its input " + context.describeInput(0) + " has no steps axis; give the input"
          + " a steps axis, such as shape = {" + input.dim(0) + ", 1}");
      return null;
    }
    if (input.rank() > 2) {
      context.errorAtInput(Tag.UNSUPPORTED, 0, layer.name() + " masks the steps of a sequence"
          + " (steps, features), but its input is " + context.describeInput(0) + "; Kiln masks"
          + " sequences only: @Reshape it to (steps, features) first");
      return null;
    }
    return input;
  }

  /** A comparison per value, and the product by the mask each way. */
  @Override
  public Flops flops(Node node) {
    long values = node.shape().length();
    return Flops.elementwise(2 * values, values, 1);
  }

  @Override
  public CodeBlock forward(LayerCode code) {
    return CodeBlock.of("$T.forward($L, $L, $L, $L);\n", KERNEL, code.input(0), maskValue(code),
        code.outputMask(), code.output());
  }

  @Override
  public CodeBlock backward(LayerCode code) {
    return CodeBlock.of("$T.backward($L, $L, $L);\n", KERNEL, code.outputMask(),
        code.outputGradient(), code.inputGradient(0));
  }

  private static double maskValue(LayerCode code) {
    return code.layer().attributes().doubleValue("maskValue");
  }
}
