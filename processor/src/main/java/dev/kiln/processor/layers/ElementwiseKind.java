package dev.kiln.processor.layers;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.kiln.Add;
import dev.kiln.Average;
import dev.kiln.Maximum;
import dev.kiln.Minimum;
import dev.kiln.Multiply;
import dev.kiln.Subtract;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.List;

/**
 * The elementwise merges, {@code @Add}, {@code @Subtract}, {@code @Multiply}, {@code @Average},
 * {@code @Maximum} and {@code @Minimum}: over inputs of one shape. The backward pass of those
 * whose gradients depend on the inputs' values (products, selections) reads the inputs too.
 */
final class ElementwiseKind implements LayerKind {

  static final ElementwiseKind ADD =
      new ElementwiseKind(Add.class, "adds", Arity.atLeast(2), false);
  static final ElementwiseKind SUBTRACT =
      new ElementwiseKind(Subtract.class, "subtracts", Arity.exactly(2), false);
  static final ElementwiseKind MULTIPLY =
      new ElementwiseKind(Multiply.class, "multiplies", Arity.atLeast(2), true);
  static final ElementwiseKind AVERAGE =
      new ElementwiseKind(Average.class, "averages", Arity.atLeast(2), false);
  static final ElementwiseKind MAXIMUM =
      new ElementwiseKind(Maximum.class, "takes the maximum of", Arity.atLeast(2), true);
  static final ElementwiseKind MINIMUM =
      new ElementwiseKind(Minimum.class, "takes the minimum of", Arity.atLeast(2), true);

  private final Class<? extends Annotation> annotation;
  private final String verb;
  private final Arity arity;
  private final boolean backwardReadsInputs;
  private final ClassName kernel;

  private ElementwiseKind(Class<? extends Annotation> annotation, String verb, Arity arity,
      boolean backwardReadsInputs) {
    this.annotation = annotation;
    this.verb = verb;
    this.arity = arity;
    this.backwardReadsInputs = backwardReadsInputs;
    this.kernel = Runtime.kernel(annotation.getSimpleName());
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
    return arity;
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    List<Shape> inputs = context.inputs();
    for (int i = 1; i < inputs.size(); i++) {
      if (!inputs.get(i).equals(inputs.get(0))) {
        context.errorAtInput(i, context.layer().name() + " " + verb + " "
            + context.describeInput(0) + " and " + context.describeInput(i) + " elementwise;"
            + " their shapes must be equal." + explanation(context, i));
        return null;
      }
    }
    return inputs.get(0);
  }

  private static String explanation(ShapeContext context, int index) {
    String rounding = Downsampling.explain(context.producers(0), context.producers(index));
    return rounding.isEmpty() ? ConcatenateKind.SAME_SIZES : rounding;
  }

  /**
   * Forward, one operation per element between each pair of inputs (and the division of
   * {@code Average}). Backward per input: nothing for a sum (the gradient is copied), one
   * operation per element for the negation of {@code Subtract}'s second input, the division of
   * {@code Average} and the selection of {@code Maximum} and {@code Minimum}, and for
   * {@code Multiply} the product of the other inputs with the gradient.
   */
  @Override
  public Flops flops(Node node) {
    long elements = node.shape().length();
    int n = node.inputShapes().size();
    long forward = (n - 1) * elements + (annotation == Average.class ? elements : 0);
    List<Long> backward = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long perElement = annotation == Add.class ? 0
          : annotation == Subtract.class ? i
          : annotation == Multiply.class ? n - 1
          : 1;
      backward.add(perElement * elements);
    }
    return new Flops(forward, 0, backward);
  }

  @Override
  public CodeBlock forward(LayerCode code) {
    return CodeBlock.of("$T.forward($L, $L);\n", kernel, code.output(), inputs(code));
  }

  @Override
  public CodeBlock backward(LayerCode code) {
    List<CodeBlock> gradients = new ArrayList<>();
    for (int i = 0; i < code.layer().inputs().size(); i++) {
      gradients.add(code.inputGradient(i));
    }
    if (!backwardReadsInputs) {
      return CodeBlock.of("$T.backward($L, $L);\n", kernel, code.outputGradient(),
          CodeBlock.join(gradients, ", "));
    }
    ArrayTypeName arrays = ArrayTypeName.of(Runtime.INDARRAY);
    return CodeBlock.of("$T.backward($L, new $T {$L}, new $T {$L});\n", kernel,
        code.outputGradient(), arrays, inputs(code), arrays, CodeBlock.join(gradients, ", "));
  }

  private static CodeBlock inputs(LayerCode code) {
    List<CodeBlock> inputs = new ArrayList<>();
    for (int i = 0; i < code.layer().inputs().size(); i++) {
      inputs.add(code.input(i));
    }
    return CodeBlock.join(inputs, ", ");
  }
}
