package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.kiln.Dropout;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.util.List;

/** {@code @Dropout}: random zeroing while training, keeping its mask for the backward pass. */
final class DropoutKind implements LayerKind {

  private static final ClassName KERNEL = Runtime.kernel("Dropout");

  @Override
  public Class<Dropout> annotation() {
    return Dropout.class;
  }

  @Override
  public String kerasName() {
    return "Dropout";
  }

  @Override
  public Arity arity() {
    return Arity.exactly(1);
  }

  @Override
  public MaskUse maskUse(Node node) {
    return MaskUse.PASSES;
  }

  @Override
  public void checkAttributes(LayerDecl layer, Report.Builder report) {
    double rate = layer.attributes().doubleValue("rate");
    if (!(rate >= 0 && rate < 1)) {
      Attrs.bad(layer, "rate", "rate = " + rate + " on " + layer.name()
          + ", but the share of values dropped must be in [0, 1); Keras' usual rates are 0.2"
          + " to 0.5", report);
    }
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    return context.inputs().get(0);
  }

  @Override
  public List<ExtraBuffer> extraBuffers(Node node) {
    return List.of(new ExtraBuffer("Mask", node.shape(), true));
  }

  /** A copy in prediction; in training, the mask's product, one per element each way. */
  @Override
  public Flops flops(Node node) {
    long elements = node.shape().length();
    return Flops.elementwise(0, elements, 1).withTrainingForward(elements);
  }

  /** Keras' inverted dropout leaves a prediction's values as they are. */
  @Override
  public Identity identity(LayerDecl layer) {
    return Identity.IN_PREDICTION;
  }

  @Override
  public CodeBlock forward(LayerCode code) {
    return CodeBlock.of("$T.forward($L, $L, $L, $L, $L, $L);\n", KERNEL, code.input(0), rate(code),
        code.training(), code.random(), code.buffer("Mask"), code.output());
  }

  @Override
  public CodeBlock backward(LayerCode code) {
    return CodeBlock.of("$T.backward($L, $L, $L, $L);\n", KERNEL, code.outputGradient(),
        rate(code), code.buffer("Mask"), code.inputGradient(0));
  }

  private static double rate(LayerCode code) {
    return code.layer().attributes().doubleValue("rate");
  }
}
