package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.kiln.LeakyReLU;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;

/**
 * {@code @LeakyReLU(negativeSlope = ...)}: the leaky ReLU with a slope of the user's choice (the
 * activation {@code LEAKY_RELU} has Keras' fixed 0.2).
 */
final class LeakyReLUKind implements LayerKind {

  private static final ClassName KERNEL = Runtime.kernel("LeakyRelu");

  @Override
  public Class<LeakyReLU> annotation() {
    return LeakyReLU.class;
  }

  @Override
  public String kerasName() {
    return "LeakyReLU";
  }

  @Override
  public Arity arity() {
    return Arity.exactly(1);
  }

  @Override
  public void checkAttributes(LayerDecl layer, Report.Builder report) {
    double slope = slope(layer);
    if (!(slope >= 0) || Double.isInfinite(slope)) {
      Attrs.bad(layer, "negativeSlope", "negativeSlope = " + slope + " on " + layer.name()
          + ", but Keras' LeakyReLU takes a finite slope of 0 or more; its default is 0.3",
          report);
    }
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    return context.inputs().get(0);
  }

  /** One operation per element each way (a comparison and its scaling, counted as one). */
  @Override
  public Flops flops(Node node) {
    long elements = node.shape().length();
    return Flops.elementwise(elements, elements, 1);
  }

  @Override
  public CodeBlock forward(LayerCode code) {
    return CodeBlock.of("$T.forward($L, $L, $L);\n", KERNEL, code.input(0),
        slope(code.layer()), code.output());
  }

  @Override
  public CodeBlock backward(LayerCode code) {
    if (!code.needsInputGradient(0)) {
      return CodeBlock.of("");
    }
    return CodeBlock.builder()
        .add("$L.assign($L);\n", code.inputGradient(0), code.outputGradient())
        .add("$T.backward($L, $L, $L);\n", KERNEL, code.input(0), slope(code.layer()),
            code.inputGradient(0))
        .build();
  }

  private static double slope(LayerDecl layer) {
    return layer.attributes().doubleValue("negativeSlope");
  }
}
