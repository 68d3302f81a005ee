package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.kiln.Activation;
import dev.kiln.TimeDistributed;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.check.Tag;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.parse.InputRef;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code @TimeDistributed} around another kind: the inner layer applies to each step of a
 * sequence with the same weights. At run time the steps fold into the batch axis, so the inner
 * kernel runs once on {@code (batch * steps, ...)} views.
 */
record TimeDistributedKind(LayerKind inner) implements LayerKind {

  private static final ClassName STEPS = Runtime.kernel("TimeSteps");

  @Override
  public Class<TimeDistributed> annotation() {
    return TimeDistributed.class;
  }

  @Override
  public String kerasName() {
    return "TimeDistributed";
  }

  @Override
  public Arity arity() {
    return inner.arity();
  }

  @Override
  public void checkAttributes(LayerDecl layer, Report.Builder report) {
    inner.checkAttributes(layer, report);
    if (inner instanceof EmbeddingKind && layer.attributes().booleanValue("maskZero")) {
      report.error(Tag.UNSUPPORTED, layer.name() + " has maskZero = true under @TimeDistributed,"
          + " where each step's tokens are embedded apart; Kiln masks the steps of a sequence of"
          + " token ids (steps) only: apply the @Embedding without @TimeDistributed, or drop"
          + " maskZero", layer.site("maskZero"));
    }
  }

  @Override
  public boolean readsTokenIds() {
    return inner.readsTokenIds();
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    Shape input = context.inputs().get(0);
    if (input.rank() < 2) {
      context.errorAtInput(0, context.layer().name() + " applies " + Words.aLayer(inner)
          + " to each step of a sequence, but its input " + context.describeInput(0) + " has no"
          + " steps axis; give the input a steps axis, or use the layer without @TimeDistributed");
      return null;
    }
    Shape step = inner.outputShape(new StepContext(context));
    if (step == null) {
      return null;
    }
    List<Integer> dims = new ArrayList<>();
    dims.add(input.dim(0));
    dims.addAll(step.dims());
    return new Shape(dims);
  }

  @Override
  public List<ParamDecl> parameters(LayerDecl layer, List<Shape> inputs) {
    return inner.parameters(layer, inputs.stream().map(TimeDistributedKind::perStep).toList());
  }

  @Override
  public Activation activation(LayerDecl layer) {
    return inner.activation(layer);
  }

  /** As Keras' TimeDistributed: each step is computed alone, so the steps' mask still holds. */
  @Override
  public MaskUse maskUse(Node node) {
    return MaskUse.PASSES;
  }

  @Override
  public List<Constant> constants(LayerDecl layer) {
    return inner.constants(layer);
  }

  @Override
  public List<ExtraBuffer> extraBuffers(Node node) {
    List<ExtraBuffer> buffers = new ArrayList<>();
    for (ExtraBuffer buffer : inner.extraBuffers(perStep(node))) {
      buffers.add(buffer.perSample()
          ? new ExtraBuffer(buffer.suffix(), withSteps(node, buffer.shape()), true)
          : buffer);
    }
    return buffers;
  }

  /** The inner layer's work on one step, once per step. */
  @Override
  public Flops flops(Node node) {
    return inner.flops(perStep(node)).times(node.shape().dim(0));
  }

  @Override
  public CodeBlock initialization(LayerCode code) {
    return inner.initialization(code);
  }

  @Override
  public CodeBlock forward(LayerCode code) {
    return inner.forward(foldsSteps() ? new FoldedCode(code, perSampleBuffers(code)) : code);
  }

  @Override
  public CodeBlock backward(LayerCode code) {
    return inner.backward(foldsSteps() ? new FoldedCode(code, perSampleBuffers(code)) : code);
  }

  /**
   * The suffixes of the inner kind's extra buffers that have a batch axis, and so steps to fold;
   * the others (batch normalisation's per-channel statistics) are used as they are.
   */
  private Set<String> perSampleBuffers(LayerCode code) {
    Node step = new Node(code.layer(),
        code.layer().inputs().stream().map(InputRef::layer).toList(),
        code.inputShapes().stream().map(TimeDistributedKind::perStep).toList(),
        perStep(code.shape()), List.of(), code.layer().name());
    return inner.extraBuffers(step).stream()
        .filter(ExtraBuffer::perSample)
        .map(ExtraBuffer::suffix)
        .collect(Collectors.toSet());
  }

  @Override
  public List<String> parameterNames() {
    return inner.parameterNames();
  }

  @Override
  public TypeName parametersType() {
    return inner.parametersType();
  }

  /** Dense already maps the last axis of any rank; other kinds see the steps as samples. */
  private boolean foldsSteps() {
    return !(inner instanceof DenseKind);
  }

  private static Shape perStep(Shape shape) {
    return new Shape(shape.dims().subList(1, shape.rank()));
  }

  private static Node perStep(Node node) {
    return new Node(node.decl(), node.inputs(),
        node.inputShapes().stream().map(TimeDistributedKind::perStep).toList(),
        perStep(node.shape()), node.params(), node.weightsOwner());
  }

  private static Shape withSteps(Node node, Shape step) {
    List<Integer> dims = new ArrayList<>();
    dims.add(node.shape().dim(0));
    dims.addAll(step.dims());
    return new Shape(dims);
  }

  /** The inner kind's view of shapes: one step. */
  private record StepContext(ShapeContext outer) implements ShapeContext {
    @Override
    public LayerDecl layer() {
      return outer.layer();
    }

    @Override
    public List<Shape> inputs() {
      return outer.inputs().stream().map(TimeDistributedKind::perStep).toList();
    }

    @Override
    public List<Node> producers(int index) {
      return outer.producers(index);
    }

    @Override
    public Node producer(int index) {
      return outer.producer(index);
    }

    @Override
    public String describeInput(int index) {
      return "steps of " + outer.describeInput(index);
    }

    @Override
    public void error(Tag tag, String message, String attribute) {
      outer.error(tag, message, attribute);
    }

    @Override
    public void errorAtInput(Tag tag, int index, String message) {
      outer.errorAtInput(tag, index, message);
    }

    @Override
    public void warning(Tag tag, String message) {
      outer.warning(tag, message);
    }
  }

  /**
   * The inner kind's view of arrays: steps folded into the batch axis.
   *
   * @param perSampleBuffers the extra buffers with a batch axis, which fold too
   */
  private record FoldedCode(LayerCode outer, Set<String> perSampleBuffers) implements LayerCode {
    @Override
    public LayerDecl layer() {
      return outer.layer();
    }

    @Override
    public List<Shape> inputShapes() {
      return outer.inputShapes().stream().map(TimeDistributedKind::perStep).toList();
    }

    @Override
    public Shape shape() {
      return perStep(outer.shape());
    }

    @Override
    public CodeBlock input(int index) {
      return fold(outer.input(index));
    }

    @Override
    public CodeBlock inputMask(int index) {
      // The inner layer sees single steps, which a mask of steps does not concern.
      return CodeBlock.of("null");
    }

    @Override
    public CodeBlock outputMask() {
      return CodeBlock.of("null");
    }

    @Override
    public CodeBlock output() {
      return fold(outer.output());
    }

    @Override
    public CodeBlock activated() {
      return fold(outer.activated());
    }

    @Override
    public CodeBlock param(String name) {
      return outer.param(name);
    }

    @Override
    public CodeBlock grad(String name) {
      return outer.grad(name);
    }

    @Override
    public CodeBlock outputGradient() {
      return fold(outer.outputGradient());
    }

    @Override
    public CodeBlock inputGradient(int index) {
      return fold(outer.inputGradient(index));
    }

    @Override
    public boolean needsInputGradient(int index) {
      return outer.needsInputGradient(index);
    }

    @Override
    public CodeBlock training() {
      return outer.training();
    }

    @Override
    public CodeBlock activationBuffersRead() {
      return outer.activationBuffersRead();
    }

    @Override
    public CodeBlock random() {
      return outer.random();
    }

    @Override
    public CodeBlock constant(String suffix) {
      return outer.constant(suffix);
    }

    @Override
    public CodeBlock buffer(String suffix) {
      return perSampleBuffers.contains(suffix) ? fold(outer.buffer(suffix)) : outer.buffer(suffix);
    }

    private static CodeBlock fold(CodeBlock array) {
      return array.toString().equals("null") ? array : CodeBlock.of("$T.folded($L)", STEPS, array);
    }
  }
}
