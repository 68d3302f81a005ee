package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.kiln.Initializer;
import dev.kiln.MultiHeadAttention;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code @MultiHeadAttention}: Keras' attention over the steps of sequences. Its inputs are
 * {@code (query, value, key)}, the key defaulting to the value and the value to the query.
 */
final class MultiHeadAttentionKind implements LayerKind {

  private static final ClassName KERNEL = Runtime.kernel("MultiHeadAttention");
  private static final List<String> ROLES = List.of("query", "value", "key");
  private static final List<String> PARAMETERS = List.of("queryKernel", "queryBias", "keyKernel",
      "keyBias", "valueKernel", "valueBias", "outputKernel", "outputBias");

  @Override
  public Class<MultiHeadAttention> annotation() {
    return MultiHeadAttention.class;
  }

  @Override
  public String kerasName() {
    return "MultiHeadAttention";
  }

  @Override
  public Arity arity() {
    return new Arity(1, 3);
  }

  @Override
  public void checkAttributes(LayerDecl layer, Report.Builder report) {
    Attrs.checkPositive(layer, "numHeads", "head", report);
    Attrs.checkPositive(layer, "keyDim", "feature per head (keyDim)", report);
    for (String attribute : List.of("valueDim", "outputShape")) {
      int value = layer.attributes().intValue(attribute);
      if (value < 0) {
        Attrs.bad(layer, attribute, attribute + " = " + value + " on " + layer.name()
            + ", but a size cannot be negative; use a positive size, or 0 for Keras' default ("
            + (attribute.equals("valueDim") ? "keyDim" : "the query's last axis") + ")", report);
      }
    }
    double dropout = layer.attributes().doubleValue("dropout");
    if (!(dropout >= 0 && dropout < 1)) {
      Attrs.bad(layer, "dropout", "dropout = " + dropout + " on " + layer.name()
          + ", but the share of attention probabilities dropped must be in [0, 1); Keras'"
          + " usual rates are 0.1 to 0.3", report);
    }
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    LayerDecl layer = context.layer();
    List<Shape> inputs = context.inputs();
    boolean causal = layer.attributes().booleanValue("useCausalMask");
    for (int i = 0; i < inputs.size(); i++) {
      Shape input = inputs.get(i);
      if (input.rank() != 2) {
        context.errorAtInput(i, layer.name() + " attends over the steps of sequences (steps,"
            + " features), but its " + ROLES.get(i) + " is " + context.describeInput(i)
            + (causal ? ", which has no steps for useCausalMask to order" : "")
            + (input.rank() == 1
                ? "; give it a steps axis, such as shape = {" + input.dim(0) + ", 1}, or use a"
                    + " Dense layer for a single vector"
                : "; @Reshape it to (steps, features) first"));
        return null;
      }
      if (input.dim(1) == Shape.VARIABLE) {
        context.errorAtInput(i, layer.name() + " needs a known number of features to size its "
            + ROLES.get(i) + " kernel, but its " + ROLES.get(i) + " is "
            + context.describeInput(i) + "; give the features axis a size");
        return null;
      }
    }
    if (inputs.size() == 3 && inputs.get(1).dim(0) != inputs.get(2).dim(0)) {
      context.errorAtInput(2, layer.name() + " pairs each value step with a key step, but its"
          + " value is " + context.describeInput(1) + " and its key " + context.describeInput(2)
          + "; as in Keras, value and key must have the same steps");
      return null;
    }
    if (inputs.size() >= 2 && inputs.get(0).last() != inputs.get(1).last()) {
      context.errorAtInput(1, layer.name() + " reads a query of " + inputs.get(0).last()
          + " features and a value of " + inputs.get(1).last() + " (" + context.describeInput(1)
          + "); Keras 3 refuses query and value of different last axes; project the value"
          + " first with @Dense(units = " + inputs.get(0).last() + ")");
      return null;
    }
    sizeTrace(layer, inputs.get(0).dim(0), input(inputs, 1).dim(0));
    return Shape.of(inputs.get(0).dim(0), outputDim(layer, inputs));
  }

  /**
   * Throws {@link ArithmeticException}, which shape inference reports as too large, when a
   * sample's trace would not fit in an int-indexed array.
   */
  private static void sizeTrace(LayerDecl layer, int queries, int keys) {
    int heads = layer.attributes().intValue("numHeads");
    int widest = Math.max(layer.attributes().intValue("keyDim"), valueDim(layer));
    int steps = Math.max(Math.max(queries, keys), 1);
    Math.multiplyExact(Math.multiplyExact(heads, steps), Math.max(widest, steps));
  }

  @Override
  public List<ParamDecl> parameters(LayerDecl layer, List<Shape> inputs) {
    int heads = layer.attributes().intValue("numHeads");
    int keyDim = layer.attributes().intValue("keyDim");
    int valueDim = valueDim(layer);
    int out = outputDim(layer, inputs);
    boolean bias = layer.attributes().booleanValue("useBias");
    Initializer kernelInit = layer.attributes().enumValue("kernelInitializer", Initializer.class);
    Initializer biasInit = layer.attributes().enumValue("biasInitializer", Initializer.class);
    List<ParamDecl> params = new ArrayList<>();
    // Keras' order: query, key, value, output.
    int[][] projections = {
      {input(inputs, 0).last(), keyDim}, {input(inputs, 2).last(), keyDim},
      {input(inputs, 1).last(), valueDim}
    };
    String[] names = {"query", "key", "value"};
    for (int i = 0; i < 3; i++) {
      int in = projections[i][0];
      int size = projections[i][1];
      // Keras' fans for a kernel (a, b, c): a * b in, a * c out.
      params.add(new ParamDecl(names[i] + "Kernel", Shape.of(in, heads, size), kernelInit,
          (long) in * heads, (long) in * size));
      if (bias) {
        params.add(new ParamDecl(names[i] + "Bias", Shape.of(heads, size), biasInit, heads, size));
      }
    }
    params.add(new ParamDecl("outputKernel", Shape.of(heads, valueDim, out), kernelInit,
        (long) heads * valueDim, (long) heads * out));
    if (bias) {
      params.add(new ParamDecl("outputBias", Shape.of(out), biasInit, heads * valueDim, out));
    }
    return params;
  }

  @Override
  public List<Constant> constants(LayerDecl layer) {
    return List.of(new Constant("SETTINGS", KERNEL.nestedClass("Settings"),
        CodeBlock.of("new $T($L, $L, $L, $L, $L)", KERNEL.nestedClass("Settings"),
            layer.attributes().intValue("numHeads"), layer.attributes().intValue("keyDim"),
            valueDim(layer), layer.attributes().booleanValue("useCausalMask"),
            layer.attributes().doubleValue("dropout"))));
  }

  /** The trace the forward pass keeps for the backward pass; {@code Scores} is an activation. */
  @Override
  public List<ExtraBuffer> extraBuffers(Node node) {
    LayerDecl layer = node.decl();
    List<Shape> inputs = node.inputShapes();
    int heads = layer.attributes().intValue("numHeads");
    int keyDim = layer.attributes().intValue("keyDim");
    int valueDim = valueDim(layer);
    int queries = inputs.get(0).dim(0);
    int keys = input(inputs, 1).dim(0);
    List<ExtraBuffer> buffers = new ArrayList<>();
    buffers.add(new ExtraBuffer("Queries", Shape.of(heads, queries, keyDim), true));
    buffers.add(new ExtraBuffer("Keys", Shape.of(heads, keys, keyDim), true));
    buffers.add(new ExtraBuffer("Values", Shape.of(heads, keys, valueDim), true));
    buffers.add(new ExtraBuffer(SCORES, Shape.of(heads, queries, keys), true));
    if (layer.attributes().doubleValue("dropout") > 0) {
      buffers.add(new ExtraBuffer("DropoutMask", Shape.of(heads, queries, keys), true));
      buffers.add(new ExtraBuffer("Dropped", Shape.of(heads, queries, keys), true));
    }
    buffers.add(new ExtraBuffer("Context",
        Shape.of(queries, Math.multiplyExact(heads, valueDim)), true));
    return buffers;
  }

  /**
   * The query, key and value projections (with their biases), the queries' scaling, {@code Q K^T}
   * per head, the softmax (3 FLOPs a score), in training the dropout of the probabilities,
   * {@code P V} per head, and the output projection with its bias; the causal mask's skipped
   * scores are counted, as the kernel computes them. Backward: a product each for every kernel's
   * gradient, two for each of {@code Q K^T}, {@code P V} and the output projection (both
   * operands' gradients), the softmax's and dropout's as forward; and for each input, a product
   * for its projection's input gradient (summed onto the input that fills several roles).
   */
  @Override
  public Flops flops(Node node) {
    LayerDecl layer = node.decl();
    List<Shape> inputs = node.inputShapes();
    long heads = layer.attributes().intValue("numHeads");
    long keyDim = layer.attributes().intValue("keyDim");
    long valueDim = valueDim(layer);
    long queries = inputs.get(0).dim(0);
    long keys = input(inputs, 1).dim(0);
    long out = outputDim(layer, inputs);
    long[] projections = {
      queries * input(inputs, 0).last() * heads * keyDim,
      keys * input(inputs, 1).last() * heads * valueDim,
      keys * input(inputs, 2).last() * heads * keyDim
    };
    long biases = layer.attributes().booleanValue("useBias")
        ? heads * (queries * keyDim + keys * keyDim + keys * valueDim) + queries * out
        : 0;
    long scores = heads * queries * keys;
    long elementwise = heads * queries * keyDim // the 1 / sqrt(keyDim) scaling
        + 3 * scores;
    long dropout = layer.attributes().doubleValue("dropout") > 0 ? scores : 0;
    long products = scores * keyDim + scores * valueDim + queries * heads * valueDim * out;
    long projected = projections[0] + projections[1] + projections[2];
    List<Long> inputGradients = new ArrayList<>(java.util.Collections.nCopies(inputs.size(), 0L));
    for (int role = 0; role < 3; role++) {
      int index = Math.min(role, inputs.size() - 1);
      inputGradients.set(index, inputGradients.get(index) + 2 * projections[role]);
    }
    return new Flops(
        2 * (projected + products) + biases + elementwise,
        dropout,
        2 * projected + 4 * products + biases + elementwise + dropout,
        inputGradients);
  }

  /** The suffix of the extra buffer that holds the attention probabilities. */
  static final String SCORES = "Scores";

  @Override
  public List<String> activationBuffers() {
    return List.of(SCORES);
  }

  /**
   * As Keras': a query step attends to the value steps that the query's, value's and key's
   * masks all keep, and the output carries the query's mask.
   */
  @Override
  public MaskUse maskUse(Node node) {
    return MaskUse.READS_AND_PASSES;
  }

  @Override
  public CodeBlock forward(LayerCode code) {
    List<CodeBlock> masks = masks(code);
    if (masks == null) {
      CodeBlock read = code.activationBuffersRead();
      if (read.toString().equals("true")) {
        return CodeBlock.of("$T.forward($L, $L, $L,\n$>$L,\n$L, $L, $L,\n$L,\n$L);\n$<", KERNEL,
            code.input(0), input(code, 1), input(code, 2), parametersValue(code),
            code.constant("SETTINGS"), code.training(), code.random(), trace(code), code.output());
      }
      // a prediction on its own buffers may leave the probabilities unwritten
      return CodeBlock.of("$T.forward($L, $L, $L,\n$>$L,\n$L, $L, $L, $L,\n$L,\n$L);\n$<", KERNEL,
          code.input(0), input(code, 1), input(code, 2), parametersValue(code),
          code.constant("SETTINGS"), code.training(), read, code.random(), trace(code),
          code.output());
    }
    return CodeBlock.of("$T.forward($L, $L, $L,\n$>$L,\n$L,\n$L, $L, $L,\n$L,\n$L);\n$<",
        KERNEL, code.input(0), input(code, 1), input(code, 2), CodeBlock.join(masks, ", "),
        parametersValue(code), code.constant("SETTINGS"), code.training(), code.random(),
        trace(code), code.output());
  }

  /** The masks of the query, value and key, or null when none has one. */
  private static List<CodeBlock> masks(LayerCode code) {
    List<CodeBlock> masks = List.of(code.inputMask(0), inputMask(code, 1), inputMask(code, 2));
    return masks.stream().allMatch(mask -> mask.toString().equals("null")) ? null : masks;
  }

  /** The mask of input {@code role}, falling back as {@link #input(LayerCode, int)} does. */
  private static CodeBlock inputMask(LayerCode code, int role) {
    return code.inputMask(Math.min(role, code.layer().inputs().size() - 1));
  }

  @Override
  public CodeBlock backward(LayerCode code) {
    List<CodeBlock> grads = PARAMETERS.stream().map(code::grad).toList();
    List<CodeBlock> masks = masks(code);
    if (masks != null) {
      return CodeBlock.of(
          "$T.backward($L, $L, $L,\n$>$L,\n$L,\n$L,\n$L,\n$L,\nnew $T($L),\n$L, $L, $L);\n$<",
          KERNEL, code.input(0), input(code, 1), input(code, 2), CodeBlock.join(masks, ", "),
          parametersValue(code), code.constant("SETTINGS"), trace(code), code.outputGradient(),
          parametersType(), CodeBlock.join(grads, ", "), inputGradient(code, 0),
          inputGradient(code, 1), inputGradient(code, 2));
    }
    return CodeBlock.of("$T.backward($L, $L, $L,\n$>$L,\n$L,\n$L,\n$L,\nnew $T($L),\n$L, $L, $L);\n$<",
        KERNEL, code.input(0), input(code, 1), input(code, 2), parametersValue(code),
        code.constant("SETTINGS"), trace(code), code.outputGradient(), parametersType(),
        CodeBlock.join(grads, ", "), inputGradient(code, 0), inputGradient(code, 1),
        inputGradient(code, 2));
  }

  @Override
  public List<String> parameterNames() {
    return PARAMETERS;
  }

  @Override
  public TypeName parametersType() {
    return KERNEL.nestedClass("Parameters");
  }

  private CodeBlock trace(LayerCode code) {
    boolean dropout = code.layer().attributes().doubleValue("dropout") > 0;
    return CodeBlock.of("new $T($L, $L, $L, $L, $L, $L, $L)", KERNEL.nestedClass("Trace"),
        code.buffer("Queries"), code.buffer("Keys"), code.buffer("Values"), code.buffer(SCORES),
        dropout ? code.buffer("DropoutMask") : "null", dropout ? code.buffer("Dropped") : "null",
        code.buffer("Context"));
  }

  /** Input {@code role} (1 value, 2 key), falling back as Keras does: key to value to query. */
  private static CodeBlock input(LayerCode code, int role) {
    return code.input(Math.min(role, code.layer().inputs().size() - 1));
  }

  /**
   * Where the gradient of input {@code role} goes: the parameter's own gradient, or, for a role
   * that falls back to another input, that input's, so that the kernel sums them.
   */
  private static CodeBlock inputGradient(LayerCode code, int role) {
    int index = Math.min(role, code.layer().inputs().size() - 1);
    CodeBlock gradient = code.inputGradient(index);
    return gradient == null ? CodeBlock.of("null") : gradient;
  }

  private static Shape input(List<Shape> inputs, int role) {
    return inputs.get(Math.min(role, inputs.size() - 1));
  }

  private static int valueDim(LayerDecl layer) {
    int valueDim = layer.attributes().intValue("valueDim");
    return valueDim == 0 ? layer.attributes().intValue("keyDim") : valueDim;
  }

  private static int outputDim(LayerDecl layer, List<Shape> inputs) {
    int out = layer.attributes().intValue("outputShape");
    return out == 0 ? inputs.get(0).last() : out;
  }
}
