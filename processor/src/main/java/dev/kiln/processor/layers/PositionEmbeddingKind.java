package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.kiln.Initializer;
import dev.kiln.PositionEmbedding;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.util.List;

/** {@code @PositionEmbedding}: KerasNLP's learned vector per position of a sequence. */
final class PositionEmbeddingKind implements LayerKind {

  private static final ClassName KERNEL = Runtime.kernel("PositionEmbedding");

  @Override
  public Class<PositionEmbedding> annotation() {
    return PositionEmbedding.class;
  }

  @Override
  public String kerasName() {
    return "PositionEmbedding";
  }

  @Override
  public Arity arity() {
    return Arity.exactly(1);
  }

  @Override
  public void checkAttributes(LayerDecl layer, Report.Builder report) {
    Attrs.checkPositive(layer, "sequenceLength", "position", report);
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    LayerDecl layer = context.layer();
    Shape input = context.inputs().get(0);
    if (input.rank() != 2) {
      context.errorAtInput(0, layer.name() + " embeds the positions of sequences (steps,"
          + " features), but its input is " + context.describeInput(0)
          + (input.rank() == 1
              ? "; give it a features axis, or read the output of an @Embedding"
              : "; @Reshape it to (steps, features) first"));
      return null;
    }
    if (input.dim(1) == Shape.VARIABLE) {
      context.errorAtInput(0, layer.name() + " needs a known number of features to size its"
          + " table, but its input is " + context.describeInput(0)
          + "; give the features axis a size");
      return null;
    }
    int length = layer.attributes().intValue("sequenceLength");
    if (input.dim(0) != Shape.VARIABLE && input.dim(0) > length) {
      context.error(layer.name() + " has a table of sequenceLength = " + length + " positions,"
          + " but its input " + context.describeInput(0) + " has " + input.dim(0)
          + " steps; use sequenceLength = " + input.dim(0) + " or more", "sequenceLength");
      return null;
    }
    return input;
  }

  @Override
  public List<ParamDecl> parameters(LayerDecl layer, List<Shape> inputs) {
    int length = layer.attributes().intValue("sequenceLength");
    int features = inputs.get(0).dim(1);
    return List.of(new ParamDecl("embeddings", Shape.of(length, features),
        layer.attributes().enumValue("initializer", Initializer.class), length, features));
  }

  /** A copy forward (the sum with the tokens is an {@code @Add}); backward, each value added into the table's gradient. */
  @Override
  public Flops flops(Node node) {
    return new Flops(0, node.shape().length(), List.of(0L));
  }

  @Override
  public CodeBlock forward(LayerCode code) {
    return CodeBlock.of("$T.forward($L, $L, $L);\n", KERNEL, code.input(0),
        code.param("embeddings"), code.output());
  }

  @Override
  public CodeBlock backward(LayerCode code) {
    return CodeBlock.of("$T.backward($L, $L, $L);\n", KERNEL, code.outputGradient(),
        code.grad("embeddings"), code.inputGradient(0));
  }

  @Override
  public List<String> parameterNames() {
    return List.of("embeddings");
  }

  @Override
  public TypeName parametersType() {
    return KERNEL.nestedClass("Parameters");
  }
}
