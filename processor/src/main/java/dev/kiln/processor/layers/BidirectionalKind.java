package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import dev.kiln.Bidirectional;
import dev.kiln.MergeMode;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code @Bidirectional} around a recurrent kind: one copy reads the sequence forwards, another
 * with its own weights backwards, and their outputs are joined ({@code CONCAT}) or added
 * ({@code SUM}), as Keras' {@code Bidirectional} does.
 */
record BidirectionalKind(RecurrentKind inner, MergeMode mergeMode) implements LayerKind {

  private static final ClassName BIDIRECTIONAL = Runtime.kernel("Bidirectional");

  @Override
  public Class<Bidirectional> annotation() {
    return Bidirectional.class;
  }

  @Override
  public String kerasName() {
    return "Bidirectional";
  }

  @Override
  public Arity arity() {
    return Arity.exactly(1);
  }

  @Override
  public void checkAttributes(LayerDecl layer, Report.Builder report) {
    inner.checkAttributes(layer, report);
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    Shape one = inner.outputShape(context);
    if (one == null || mergeMode == MergeMode.SUM) {
      return one;
    }
    return one.withLast(Math.multiplyExact(2, one.last()));
  }

  @Override
  public List<ParamDecl> parameters(LayerDecl layer, List<Shape> inputs) {
    List<ParamDecl> params = new ArrayList<>(inner.parameters(layer, inputs, "forward"));
    params.addAll(inner.parameters(layer, inputs, "backward"));
    return params;
  }

  @Override
  public List<ExtraBuffer> extraBuffers(Node node) {
    Shape one = mergeMode == MergeMode.SUM
        ? node.shape()
        : node.shape().withLast(node.shape().last() / 2);
    List<ExtraBuffer> buffers = new ArrayList<>(List.of(
        new ExtraBuffer("Forward", one, true),
        new ExtraBuffer("Backward", one, true),
        new ExtraBuffer("ForwardGradient", one, true),
        new ExtraBuffer("BackwardGradient", one, true),
        new ExtraBuffer("InputGradient", node.inputShapes().get(0), true)));
    buffers.addAll(inner.traces(node, "forward"));
    buffers.addAll(inner.traces(node, "backward"));
    return buffers;
  }

  /**
   * Both directions' work, plus the sum of their outputs in {@code SUM} mode and the sum of their
   * input gradients.
   */
  @Override
  public Flops flops(Node node) {
    long merge = mergeMode == MergeMode.SUM ? node.shape().length() : 0;
    return inner.flops(node).times(2)
        .plus(new Flops(merge, 0, List.of(node.inputShapes().get(0).length())));
  }

  @Override
  public CodeBlock initialization(LayerCode code) {
    return CodeBlock.builder()
        .add(inner.forgetBias(code, "forward"))
        .add(inner.forgetBias(code, "backward"))
        .build();
  }

  @Override
  public CodeBlock forward(LayerCode code) {
    return CodeBlock.builder()
        .add(inner.forward(code, "forward", false, code.buffer("Forward")))
        .add(inner.forward(code, "backward", true, code.buffer("Backward")))
        .add(merge(code))
        .build();
  }

  @Override
  public CodeBlock backward(LayerCode code) {
    CodeBlock.Builder backward = CodeBlock.builder().add(split(code));
    backward.add(inner.backward(code, "forward", false, code.buffer("ForwardGradient"),
        code.inputGradient(0)));
    if (code.needsInputGradient(0)) {
      backward.add(inner.backward(code, "backward", true, code.buffer("BackwardGradient"),
          code.buffer("InputGradient")));
      backward.addStatement("$L.addi($L)", code.inputGradient(0), code.buffer("InputGradient"));
    } else {
      backward.add(inner.backward(code, "backward", true, code.buffer("BackwardGradient"),
          CodeBlock.of("null")));
    }
    return backward.build();
  }

  @Override
  public List<String> parameterNames() {
    return List.of("forwardKernel", "forwardRecurrentKernel", "forwardBias",
        "backwardKernel", "backwardRecurrentKernel", "backwardBias");
  }

  @Override
  public TypeName parametersType() {
    return ParameterizedTypeName.get(BIDIRECTIONAL.nestedClass("Parameters"), inner.parametersType());
  }

  @Override
  public CodeBlock parametersValue(LayerCode code) {
    return CodeBlock.of("new $T<>(new $T($L, $L, $L), new $T($L, $L, $L))",
        BIDIRECTIONAL.nestedClass("Parameters"),
        inner.parametersType(), code.param("forwardKernel"), code.param("forwardRecurrentKernel"),
        code.param("forwardBias"),
        inner.parametersType(), code.param("backwardKernel"), code.param("backwardRecurrentKernel"),
        code.param("backwardBias"));
  }

  private CodeBlock merge(LayerCode code) {
    return mergeMode == MergeMode.SUM
        ? CodeBlock.of("$T.forward($L, $L, $L);\n", Runtime.kernel("Add"), code.output(),
            code.buffer("Forward"), code.buffer("Backward"))
        : CodeBlock.of("$T.forward($L, $L, $L, $L);\n", Runtime.kernel("Concatenate"),
            code.shape().rank(), code.output(), code.buffer("Forward"), code.buffer("Backward"));
  }

  private CodeBlock split(LayerCode code) {
    return mergeMode == MergeMode.SUM
        ? CodeBlock.of("$T.backward($L, $L, $L);\n", Runtime.kernel("Add"), code.outputGradient(),
            code.buffer("ForwardGradient"), code.buffer("BackwardGradient"))
        : CodeBlock.of("$T.backward($L, $L, $L, $L);\n", Runtime.kernel("Concatenate"),
            code.shape().rank(), code.outputGradient(), code.buffer("ForwardGradient"),
            code.buffer("BackwardGradient"));
  }
}
