package dev.kiln.processor.emit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import dev.kiln.Activation;
import dev.kiln.processor.layers.ParamDecl;
import dev.kiln.processor.shape.MaskFlow;
import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What every part of a model class's writing reads: the checked network, its step and memory
 * plans, the names of fields and locals, and the ways generated code refers to them.
 */
final class ModelContext {

  static final TypeName INDARRAY = Runtime.INDARRAY;

  final Network network;
  final StepPlan plan;
  final MaskFlow masks;
  final Naming names;
  final SharedMemory shared;
  final MemoryPlan memory;
  final MaskCode maskCode;
  final ClassName model;
  final ClassName buffers;

  ModelContext(Network network) {
    this.network = network;
    this.plan = new StepPlan(network);
    this.masks = MaskFlow.of(network);
    this.names = new Naming(network);
    this.shared = new SharedMemory(network, plan, MemoryPlan.plannable(network));
    this.memory = new MemoryPlan(network, plan, names, shared);
    this.maskCode = new MaskCode(masks, names, this::bufferField);
    this.model = ClassName.get(network.model().packageName(), network.model().className());
    this.buffers = model.nestedClass("Buffers");
  }

  /** {@code b.field}: a field of the Buffers instance. */
  CodeBlock bufferField(String field) {
    return CodeBlock.of("$L.$L", names.local("b"), field);
  }

  /** An input's array inside the passes, or a layer's output buffer. */
  CodeBlock activationOf(Node node) {
    return node.decl().kind().isInput()
        ? CodeBlock.of("$L", names.input(node))
        : bufferField(names.output(node));
  }

  CodeBlock paramOrNull(Node node, String name) {
    for (ParamDecl param : node.params()) {
      if (param.name().equals(name)) {
        return CodeBlock.of("$L", names.param(node, param));
      }
    }
    return CodeBlock.of("null");
  }

  /**
   * Whether {@code node} is the first, in backward order, of the layers using its weights to
   * write their gradient; the others write a scratch array and add it.
   */
  boolean isFirstWeightGradientWriter(Node node) {
    List<Node> users = network.weightUsers(node.weightsOwner());
    return users.get(users.size() - 1) == node;
  }

  /** Whether {@code node}'s parameters are shared with other layers and {@code param} is trained. */
  boolean hasGradientPart(Node node, ParamDecl param) {
    return network.weightUsers(node.name()).size() > 1 && param.trainable();
  }

  /**
   * Whether the batch buffers have a {@code training} field, false in a prediction's own buffers
   * (planned memory): where a prediction computes some layer in the pooling after it, or leaves
   * a layer's activation buffers ({@link dev.kiln.processor.layers.LayerKind#activationBuffers})
   * or a sum that only a norm's pass reads ({@link SumNormalization}) unwritten.
   */
  boolean buffersKnowTheirMode() {
    return memory.isPlanned() && network.nodes().stream().anyMatch(node -> {
      if (!node.decl().kind().activationBuffers().isEmpty() || plan.sums().normTaking(node) != null) {
        return true;
      }
      Node pool = plan.reluTakenBackwardBy(node);
      return pool != null && pooledInPrediction(node, pool) != null;
    });
  }

  /**
   * The prediction's call computing {@code layer}, its ReLU and {@code pool}, the one layer that
   * takes that ReLU, or null: only prediction buffers ({@code b.training} false, planned memory)
   * may leave the layer's own output unwritten; {@code activations(...)} runs on training buffers.
   */
  CodeBlock pooledInPrediction(Node layer, Node pool) {
    if (!memory.isPlanned()) {
      return null;
    }
    NodeCode poolCode = new NodeCode(this, pool);
    return layer.decl().kind().forwardPooledRelu(
        new NodeCode(this, layer), poolCode.constant("WINDOW"), poolCode.output());
  }

  /**
   * A training step's call computing {@code layer}, its ReLU and {@code pool} together, leaving
   * in the layer's buffer what {@link #pooledBackward} reads, or null. Only where a prediction
   * pools it too, the layer reads a model input (no input gradient) and has weights of its own
   * that train; its backward call then runs in {@code pool}'s backward step, where the pool's
   * gradient is complete and, in the memory plan, still live.
   */
  CodeBlock pooledInTraining(Node layer, Node pool) {
    if (pooledInPrediction(layer, pool) == null || layer.inputs().size() != 1
        || !network.node(layer.inputs().get(0)).decl().kind().isInput()
        || !layer.weightsOwner().equals(layer.name())
        || network.weightUsers(layer.name()).size() != 1
        || !layer.params().stream().allMatch(ParamDecl::trainable)) {
      return null;
    }
    NodeCode poolCode = new NodeCode(this, pool);
    return layer.decl().kind().forwardPooledReluForBackward(
        new NodeCode(this, layer), poolCode.constant("WINDOW"), poolCode.output());
  }

  /** The backward call of {@link #pooledInTraining}, for {@code pool}'s backward step. */
  CodeBlock pooledBackward(Node layer, Node pool) {
    NodeCode poolCode = new NodeCode(this, pool);
    return layer.decl().kind().backwardPooledRelu(new NodeCode(this, layer),
        poolCode.constant("WINDOW"), poolCode.output(), poolCode.outputGradient());
  }

  /** The layers whose parameters the Layers class shows, outside applied blocks. */
  List<Node> layersWithParameters() {
    return network.nodes().stream()
        .filter(node -> !node.params().isEmpty() && node.decl().kind().parametersType() != null)
        .filter(node -> !network.model().isInsideApplication(node.name()))
        .toList();
  }

  /** The inputs whose steps axis has a variable length. */
  List<Node> variableLengthInputs() {
    return network.inputs().stream().filter(ModelContext::variableLength).toList();
  }

  /** Whether an input's steps vary from batch to batch (the Buffers then take their count). */
  static boolean variableLength(Node input) {
    return input.shape().rank() > 0 && input.shape().dim(0) == Shape.VARIABLE;
  }

  void addInputParameters(MethodSpec.Builder method, boolean document) {
    for (Node node : network.inputs()) {
      method.addParameter(INDARRAY, names.input(node));
      if (document) {
        method.addJavadoc("@param $L $L\n", names.input(node), node.shape().withBatch());
      }
    }
  }

  void addTargetParameters(MethodSpec.Builder method, boolean document) {
    for (Node node : network.outputs()) {
      method.addParameter(INDARRAY, names.target(node));
      if (document) {
        method.addJavadoc("@param $L target of output {@code $L}, $L\n", names.target(node), node.name(),
            ShapeText.target(node));
      }
    }
  }

  void addInputChecks(MethodSpec.Builder method) {
    List<Node> inputs = network.inputs();
    String first = names.input(inputs.get(0));
    method.addStatement("$L = checkedInput(0, $L)", first, first);
    for (int i = 1; i < inputs.size(); i++) {
      String name = names.input(inputs.get(i));
      method.addStatement("$L = checkedInput($L, $L, $L.size(0))", name, i, name, first);
    }
  }

  String forwardArgs(String training) {
    return names.local("b") + ", " + inputArgs() + ", " + training;
  }

  String inputArgs() {
    return network.inputs().stream().map(names::input).collect(Collectors.joining(", "));
  }

  String targetArgs() {
    return network.outputs().stream().map(names::target).collect(Collectors.joining(", "));
  }

  /** {@code hidden2: Dense, relu, (None, 216)}. */
  String describe(Node node) {
    Activation activation = plan.activation(node);
    return node.name() + ": " + node.decl().kind().kerasName()
        + (activation == Activation.LINEAR ? "" : ", " + activation.name().toLowerCase())
        + ", " + node.shape().withBatch();
  }
}
