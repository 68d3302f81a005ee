package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.kiln.DType;
import dev.kiln.Embedding;
import dev.kiln.Initializer;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.check.Tag;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.util.ArrayList;
import java.util.List;

/** {@code @Embedding}: a learned vector per integer token. */
final class EmbeddingKind implements LayerKind {

  private static final ClassName KERNEL = Runtime.kernel("Embedding");

  @Override
  public Class<Embedding> annotation() {
    return Embedding.class;
  }

  @Override
  public String kerasName() {
    return "Embedding";
  }

  @Override
  public Arity arity() {
    return Arity.exactly(1);
  }

  @Override
  public boolean readsTokenIds() {
    return true;
  }

  @Override
  public void checkAttributes(LayerDecl layer, Report.Builder report) {
    Attrs.checkPositive(layer, "inputDim", "token id (inputDim is the vocabulary size)", report);
    Attrs.checkPositive(layer, "outputDim", "output feature", report);
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    LayerDecl layer = context.layer();
    Node producer = context.producer(0);
    boolean integers = producer.decl().kind().isInput()
        && producer.decl().attributes().enumValue("dtype", DType.class) == DType.INT32;
    if (!integers) {
      context.errorAtInput(Tag.DTYPE_MISMATCH, 0, layer.name() + " looks up token ids, but its"
          + " input " + producer.name()
          + (producer.decl().kind().isInput()
              ? " holds floats; declare it @Input(shape = ..., dtype = INT32)"
              : " is computed by a layer and holds floats; an Embedding reads an"
                  + " @Input(dtype = INT32) directly"));
      return null;
    }
    List<Integer> dims = new ArrayList<>(context.inputs().get(0).dims());
    dims.add(layer.attributes().intValue("outputDim"));
    return new Shape(dims);
  }

  @Override
  public List<ParamDecl> parameters(LayerDecl layer, List<Shape> inputs) {
    int inputDim = layer.attributes().intValue("inputDim");
    int outputDim = layer.attributes().intValue("outputDim");
    return List.of(new ParamDecl("embeddings", Shape.of(inputDim, outputDim),
        layer.attributes().enumValue("embeddingsInitializer", Initializer.class), inputDim,
        outputDim));
  }

  /** A gather forward; backward, each output value added into the table's gradient. */
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
    return CodeBlock.of("$T.backward($L, $L, $L);\n", KERNEL, code.input(0),
        code.outputGradient(), code.grad("embeddings"));
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
