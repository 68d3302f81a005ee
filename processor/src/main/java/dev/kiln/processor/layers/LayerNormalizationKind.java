package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.kiln.Initializer;
import dev.kiln.LayerNormalization;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * {@code @LayerNormalization} over the trailing axes of each sample. Gamma and beta are shaped
 * like the normalised axes, as Keras shapes them; the runtime kernel sees rows of their product.
 */
final class LayerNormalizationKind implements LayerKind {

  private static final ClassName KERNEL = Runtime.kernel("LayerNormalization");

  @Override
  public Class<LayerNormalization> annotation() {
    return LayerNormalization.class;
  }

  @Override
  public String kerasName() {
    return "LayerNormalization";
  }

  @Override
  public Arity arity() {
    return Arity.exactly(1);
  }

  /** Each step is normalised alone, so the steps' mask still holds. */
  @Override
  public MaskUse maskUse(Node node) {
    return MaskUse.PASSES;
  }

  @Override
  public void checkAttributes(LayerDecl layer, Report.Builder report) {
    double epsilon = layer.attributes().doubleValue("epsilon");
    if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
      Attrs.bad(layer, "epsilon", "epsilon = " + epsilon + " on " + layer.name()
          + ", but it must be positive and finite, to keep the variance away from zero; Keras'"
          + " default is 0.001", report);
    }
    if (layer.attributes().intArray("axis").length == 0) {
      Attrs.bad(layer, "axis", "axis of " + layer.name() + " is empty, but a LayerNormalization"
          + " normalises at least one axis; use axis = -1, the features", report);
    }
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    LayerDecl layer = context.layer();
    Shape input = context.inputs().get(0);
    int[] written = layer.attributes().intArray("axis");
    if (written.length == 0) {
      return null; // reported by checkAttributes
    }
    TreeSet<Integer> axes = new TreeSet<>();
    for (int axis : written) {
      int full = ConcatenateKind.fullAxis(axis, input.rank());
      if (full < 1 || full > input.rank()) {
        context.error(layer.name() + " normalises axis " + axis + ", but its input "
            + context.describeInput(0) + " has axes 1 to " + input.rank() + " besides the batch"
            + " axis 0 (or -1 to -" + input.rank() + " from the end); use axis = -1 for the"
            + " features", "axis");
        return null;
      }
      axes.add(full);
    }
    if (axes.last() != input.rank() || axes.last() - axes.first() + 1 != axes.size()) {
      context.error(layer.name() + " normalises axes " + Arrays.toString(written) + " of "
          + context.describeInput(0) + "; Kiln normalises trailing axes only (-1, or {-2, -1},"
          + " ...), so include every axis after the first one you normalise", "axis");
      return null;
    }
    for (int axis : axes) {
      if (input.dim(axis - 1) < 1) {
        context.errorAtInput(0, layer.name() + " normalises axis " + axis + " of "
            + context.describeInput(0) + ", whose size varies, but gamma and beta need a size"
            + " for every normalised axis; normalise the features axis (-1) only");
        return null;
      }
    }
    return input;
  }

  @Override
  public List<ParamDecl> parameters(LayerDecl layer, List<Shape> inputs) {
    Shape normalised = normalisedShape(layer, inputs.get(0));
    long count = normalised.length();
    List<ParamDecl> params = new ArrayList<>();
    if (layer.attributes().booleanValue("scale")) {
      params.add(new ParamDecl("gamma", normalised,
          layer.attributes().enumValue("gammaInitializer", Initializer.class), count, count));
    }
    if (layer.attributes().booleanValue("center")) {
      params.add(new ParamDecl("beta", normalised,
          layer.attributes().enumValue("betaInitializer", Initializer.class), count, count));
    }
    return params;
  }

  /**
   * Forward, 7 FLOPs per element: the mean (1), the variance (2), normalising (2), scale and
   * offset (2), in prediction as in training. Backward, 2 per element for the scale's and offset's
   * gradients and 6 for the input's.
   */
  @Override
  public Flops flops(Node node) {
    long elements = node.shape().length();
    return new Flops(7 * elements, 2 * elements, List.of(6 * elements));
  }

  @Override
  public CodeBlock forward(LayerCode code) {
    return CodeBlock.of("$T.forward($L, $L, $L, $L, $L, $L);\n", KERNEL, code.input(0),
        code.param("gamma"), code.param("beta"), features(code), epsilon(code), code.output());
  }

  @Override
  public CodeBlock backward(LayerCode code) {
    return CodeBlock.of("$T.backward($L, $L, $L, $L, $L, $L, $L, $L);\n", KERNEL, code.input(0),
        code.param("gamma"), features(code), epsilon(code), code.outputGradient(),
        code.grad("gamma"), code.grad("beta"), code.inputGradient(0));
  }

  /** {@code LayerNormalization.forwardOfSum} and {@code backwardOfSum}: a residual's add and norm. */
  @Override
  public boolean takesSum(LayerDecl layer) {
    return true;
  }

  /**
   * The sum's only reader is this norm, so a prediction on its own buffers leaves it unwritten;
   * the backward pass and {@code activations(...)} read it.
   */
  @Override
  public CodeBlock forwardOfSum(LayerCode code, LayerCode sum) {
    CodeBlock read = code.activationBuffersRead();
    CodeBlock sumOut = read.toString().equals("true")
        ? sum.output() : CodeBlock.of("$L ? $L : null", read, sum.output());
    return CodeBlock.of("$T.forwardOfSum($L, $L, $L, $L, $L, $L, $L, $L);\n", KERNEL,
        sum.input(0), sum.input(1), code.param("gamma"), code.param("beta"), features(code),
        epsilon(code), sumOut, code.output());
  }

  @Override
  public CodeBlock backwardOfSum(LayerCode code, LayerCode sum) {
    return CodeBlock.of("$T.backwardOfSum($L, $L, $L, $L, $L, $L, $L, $L, $L);\n", KERNEL,
        sum.output(), code.param("gamma"), features(code), epsilon(code), code.outputGradient(),
        code.grad("gamma"), code.grad("beta"), sum.inputGradient(0), sum.inputGradient(1));
  }

  @Override
  public List<String> parameterNames() {
    return List.of("gamma", "beta");
  }

  @Override
  public TypeName parametersType() {
    return KERNEL.nestedClass("Parameters");
  }

  /** The normalised axes' sizes: the trailing axes from the first one named. */
  private static Shape normalisedShape(LayerDecl layer, Shape input) {
    int first = input.rank();
    for (int axis : layer.attributes().intArray("axis")) {
      first = Math.min(first, ConcatenateKind.fullAxis(axis, input.rank()));
    }
    int[] dims = new int[input.rank() - first + 1];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = input.dim(first - 1 + i);
    }
    return Shape.of(dims);
  }

  private static CodeBlock features(LayerCode code) {
    return CodeBlock.of("$L", normalisedShape(code.layer(), code.inputShapes().get(0)).length());
  }

  private static double epsilon(LayerCode code) {
    return code.layer().attributes().doubleValue("epsilon");
  }
}
