package dev.kiln.processor.layers;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.kiln.processor.shape.Node;
import dev.kiln.Activation;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Shape;
import java.lang.annotation.Annotation;
import java.util.List;

/**
 * Everything Kiln knows about one kind of layer: its annotation, its checks, its shape rule, its
 * parameters and the runtime calls of its forward and backward passes. Adding a layer kind means
 * adding one implementation to {@link LayerKinds}.
 *
 * <p>A kind's forward and backward cover its own computation; an {@code activation} attribute
 * is applied by the model writer around them, the same way for every kind.
 */
public interface LayerKind {

  /** The annotation declaring a layer of this kind. */
  Class<? extends Annotation> annotation();

  /** The Keras class name the summary shows ({@code Dense}). */
  String kerasName();

  Arity arity();

  /** Checks attribute values that need no shapes (positive units, rates in range). */
  default void checkAttributes(LayerDecl layer, Report.Builder report) {}

  /** The output shape for the given input shapes, or null after reporting why there is none. */
  Shape outputShape(ShapeContext context);

  /** The parameter arrays of a layer with these input shapes. */
  default List<ParamDecl> parameters(LayerDecl layer, List<Shape> inputs) {
    return List.of();
  }

  /** The activation applied to this layer's output. */
  default Activation activation(LayerDecl layer) {
    return Activation.LINEAR;
  }

  /**
   * What this layer does with a mask on its input; {@link MaskUse#MAKES} for a layer that makes
   * one. Asked only of layers with shapes.
   */
  default MaskUse maskUse(Node node) {
    return MaskUse.DROPS;
  }

  /**
   * When a layer of this kind passes its one input's values on unchanged, in row-major order, so
   * that its output may be the input's memory (seen in its own shape) and its gradient the input's
   * gradient: the emitter's {@code SharedMemory} decides where that is safe.
   */
  enum Identity {
    /** The layer computes something. */
    NEVER,
    /** In every pass: a linear activation, a flatten, a reshape. */
    ALWAYS,
    /** In a prediction only: dropout, whose kernel then copies nothing when given one array. */
    IN_PREDICTION
  }

  /** Whether, and in which passes, this layer's output is its input's values unchanged. */
  default Identity identity(LayerDecl layer) {
    return Identity.NEVER;
  }

  /** Whether this kind is a model input: its tensor is the array the caller passes. */
  default boolean isInput() {
    return false;
  }

  /** Whether this kind reads integer token ids (an {@code @Input(dtype = INT32)}). */
  default boolean readsTokenIds() {
    return false;
  }

  /** A static constant of the generated class, such as a convolution's window. */
  record Constant(String suffix, TypeName type, CodeBlock initializer) {}

  /**
   * A buffer a layer keeps besides its output and gradient, such as a dropout mask.
   *
   * @param suffix appended to the layer's name
   * @param shape the shape, of one sample if {@code perSample}
   * @param perSample whether the buffer has the batch axis in front
   */
  record ExtraBuffer(String suffix, Shape shape, boolean perSample) {}

  /** Constants this layer's calls refer to, through {@link LayerCode#constant}. */
  default List<Constant> constants(LayerDecl layer) {
    return List.of();
  }

  /** Extra buffers this layer's calls refer to, through {@link LayerCode#buffer}. */
  default List<ExtraBuffer> extraBuffers(Node node) {
    return List.of();
  }

  /**
   * The suffixes of extra buffers that are also activations, such as attention's {@code Scores}:
   * {@code activations(...)} returns a copy of each as {@code <layer>Scores()} and under the name
   * {@code <layer>/scores}.
   */
  default List<String> activationBuffers() {
    return List.of();
  }

  /** Statements run once when the model is created, after the initialisers (LSTM's forget bias). */
  default CodeBlock initialization(LayerCode code) {
    return CodeBlock.of("");
  }

  /**
   * The arithmetic of this layer on one sample, not counting its {@link #activation}, which the
   * summary adds the same way for every kind (see {@link Flops} for the convention). The node's
   * shapes are all known here: a variable sequence length is replaced by a number of steps. The
   * default is a layer that only moves data.
   */
  default Flops flops(Node node) {
    return Flops.none(node.inputShapes().size());
  }

  /** The forward call(s), writing {@link LayerCode#output()}. */
  CodeBlock forward(LayerCode code);

  /**
   * The forward call(s) with {@code activation} applied by the same kernel, in one pass over the
   * output (Dense's bias and ReLU), or null when this kind has no such kernel: then the
   * activation's own kernel runs after {@link #forward}.
   */
  default CodeBlock forwardWithActivation(LayerCode code, Activation activation) {
    return null;
  }

  /** The backward call(s), reading {@link LayerCode#outputGradient()}. */
  CodeBlock backward(LayerCode code);

  /**
   * The backward call(s) of {@link #forwardWithActivation}, taking the activation's gradient in
   * the same kernel, or null when the kind has none for {@code activation}: then the activation's
   * own backward call runs before {@link #backward}.
   */
  default CodeBlock backwardWithActivation(LayerCode code, Activation activation) {
    return null;
  }

  /**
   * Whether this kind can add its input's gradient into a buffer that already holds another
   * reader's share ({@link #addInputGradient}), where an input has several readers: the step then
   * needs no buffer for the share and no pass adding it.
   */
  default boolean addsInputGradient(LayerDecl layer) {
    return false;
  }

  /**
   * The call adding this layer's share of its one input's gradient to {@code into}, after its
   * {@link #backward} (or {@link #backwardWithActivation}) ran with no input gradient to write;
   * only where {@link #addsInputGradient} says so.
   */
  default CodeBlock addInputGradient(LayerCode code, CodeBlock into) {
    throw new UnsupportedOperationException(kerasName() + " cannot add its input gradient");
  }

  /**
   * Whether this layer can take the ReLU of a layer it alone reads, forward ({@link
   * #forwardThroughRelu}, on its own output) and backward ({@link #backwardThroughRelu}): the
   * step then uses both, and the input layer's buffer keeps its values before the ReLU (see the
   * emitter's {@code StepPlan}).
   */
  default boolean goesBackwardThroughRelu(LayerDecl layer) {
    return false;
  }

  /**
   * The forward call(s) applying the input layer's ReLU too, reading that layer's values before
   * it and writing this layer's output as if it had read the ReLU's output.
   */
  default CodeBlock forwardThroughRelu(LayerCode code) {
    throw new UnsupportedOperationException(kerasName() + " has no forward pass through a ReLU");
  }

  /**
   * For a prediction, one call computing this layer, its ReLU and the 2-D max pooling that alone
   * reads it ({@code poolWindow}, writing {@code pooled}), which may leave this layer's own
   * output unwritten; or null when the kind has no such kernel.
   */
  default CodeBlock forwardPooledRelu(LayerCode code, CodeBlock poolWindow, CodeBlock pooled) {
    return null;
  }

  /**
   * For a training step, one call computing this layer, its ReLU and the 2-D max pooling that
   * alone reads it, like {@link #forwardPooledRelu}, which leaves in the layer's own output
   * buffer what {@link #backwardPooledRelu} reads; or null when the kind has no such kernel.
   * Only for a layer whose input gradient nobody reads.
   */
  default CodeBlock forwardPooledReluForBackward(
      LayerCode code, CodeBlock poolWindow, CodeBlock pooled) {
    return null;
  }

  /**
   * The backward pass of {@link #forwardPooledReluForBackward}: the pooling's, the ReLU's and
   * this layer's parameter gradients, from the pooling's output gradient {@code pooledGradient};
   * the layer's own output gradient buffer may be left unwritten.
   */
  default CodeBlock backwardPooledRelu(LayerCode code, CodeBlock poolWindow, CodeBlock pooled,
      CodeBlock pooledGradient) {
    return null;
  }

  /**
   * The backward call(s) that also take the ReLU of the input layer backward, reading that
   * layer's values before the ReLU (as {@link #forwardThroughRelu} left them) and writing the
   * gradient before that ReLU into {@link LayerCode#inputGradient}.
   */
  default CodeBlock backwardThroughRelu(LayerCode code) {
    throw new UnsupportedOperationException(kerasName() + " has no backward pass through a ReLU");
  }

  /**
   * Whether this layer can take the {@code @Add} of two inputs that it alone reads into its own
   * passes ({@link #forwardOfSum}, {@link #backwardOfSum}): the step then computes the sum inside
   * this layer's forward pass and the sum's input gradients inside its backward pass (see the
   * emitter's {@code SumNormalization}).
   */
  default boolean takesSum(LayerDecl layer) {
    return false;
  }

  /**
   * The forward call computing the Add {@code sum} (writing its output) and this layer from it, in
   * one pass.
   */
  default CodeBlock forwardOfSum(LayerCode code, LayerCode sum) {
    throw new UnsupportedOperationException(kerasName() + " takes no sum");
  }

  /**
   * The backward call of {@link #forwardOfSum}: this layer's parameter gradients and the gradients
   * of the Add's inputs ({@code sum}'s input gradients), without the Add's own in between.
   */
  default CodeBlock backwardOfSum(LayerCode code, LayerCode sum) {
    throw new UnsupportedOperationException(kerasName() + " takes no sum");
  }

  /**
   * The names of the components of {@link #parametersType()}, in order; a parameter the layer
   * does not have (a bias with {@code useBias = false}) is passed as null.
   */
  default List<String> parameterNames() {
    return List.of();
  }

  /** The runtime type holding this kind's parameters for {@code layers()}; null without any. */
  default TypeName parametersType() {
    return null;
  }

  /** The expression creating {@link #parametersType()} from the layer's parameter views. */
  default CodeBlock parametersValue(LayerCode code) {
    List<CodeBlock> values = parameterNames().stream().map(code::param).toList();
    return CodeBlock.of("new $T($L)", parametersType(), CodeBlock.join(values, ", "));
  }
}
