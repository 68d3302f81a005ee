package dev.kiln.processor.emit;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.processor.layers.LayerCode;
import dev.kiln.processor.layers.ParamDecl;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.util.List;

/** The names and buffers one layer's kernels are called with. */
final class NodeCode implements LayerCode {
  private final ModelContext context;
  private final Node node;
  /** Whether parameter fields are named through the model ({@code MlpModel.this.x}). */
  private final boolean qualified;

  NodeCode(ModelContext context, Node node) {
    this(context, node, false);
  }

  NodeCode(ModelContext context, Node node, boolean qualified) {
    this.context = context;
    this.node = node;
    this.qualified = qualified;
  }

  @Override
  public LayerDecl layer() {
    return node.decl();
  }

  @Override
  public List<Shape> inputShapes() {
    return node.inputShapes();
  }

  @Override
  public Shape shape() {
    return node.shape();
  }

  @Override
  public CodeBlock input(int index) {
    return context.activationOf(inputNode(index));
  }

  @Override
  public CodeBlock inputMask(int index) {
    return maskOf(node.inputs().get(index));
  }

  @Override
  public CodeBlock outputMask() {
    return maskOf(node.name());
  }

  private CodeBlock maskOf(String layer) {
    Node owner = context.masks.owner(layer);
    return owner == null ? CodeBlock.of("null") : context.bufferField(context.names.mask(owner));
  }

  @Override
  public CodeBlock output() {
    return context.bufferField(context.plan.hasPreActivation(node)
        ? context.names.preActivation(node)
        : context.names.output(node));
  }

  @Override
  public CodeBlock activated() {
    return context.bufferField(context.names.output(node));
  }

  @Override
  public CodeBlock param(String name) {
    CodeBlock field = context.paramOrNull(context.network.node(node.weightsOwner()), name);
    return qualified && !field.toString().equals("null")
        ? CodeBlock.of("$T.this.$L", context.model, field)
        : field;
  }

  @Override
  public CodeBlock grad(String name) {
    Node owner = context.network.node(node.weightsOwner());
    for (ParamDecl param : owner.params()) {
      if (param.name().equals(name) && param.trainable()) {
        return CodeBlock.of("$L", context.isFirstWeightGradientWriter(node)
            ? context.names.grad(owner, param)
            : context.names.gradPart(owner, param));
      }
    }
    return CodeBlock.of("null");
  }

  @Override
  public CodeBlock outputGradient() {
    return context.bufferField(context.names.gradient(node));
  }

  @Override
  public CodeBlock inputGradient(int index) {
    Node input = inputNode(index);
    if (!context.plan.hasGradient(input)) {
      return CodeBlock.of("null");
    }
    StepPlan.GradientWrite write = new StepPlan.GradientWrite(node, index);
    if (context.plan.addsInPlace(input, write)) {
      // The kind's addInputGradient call adds it after the backward call.
      return CodeBlock.of("null");
    }
    return context.bufferField(context.plan.isFirstWrite(input, write)
        ? context.names.gradient(input)
        : context.names.gradientPart(input, context.plan.partIndex(input, write)));
  }

  @Override
  public boolean needsInputGradient(int index) {
    return context.plan.hasGradient(inputNode(index));
  }

  private Node inputNode(int index) {
    return context.network.node(node.inputs().get(index));
  }

  @Override
  public CodeBlock training() {
    return CodeBlock.of("$L", context.names.local("training"));
  }

  @Override
  public CodeBlock activationBuffersRead() {
    return context.buffersKnowTheirMode()
        ? CodeBlock.of("$L.training", context.names.local("b")) : CodeBlock.of("true");
  }

  @Override
  public CodeBlock random() {
    return CodeBlock.of("noise()");
  }

  @Override
  public CodeBlock constant(String suffix) {
    return CodeBlock.of("$L", context.names.constant(node, suffix));
  }

  @Override
  public CodeBlock buffer(String suffix) {
    return context.bufferField(context.names.extra(node, suffix));
  }
}
