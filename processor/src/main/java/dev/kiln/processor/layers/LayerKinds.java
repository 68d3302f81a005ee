package dev.kiln.processor.layers;

import dev.kiln.Bidirectional;
import dev.kiln.MergeMode;
import dev.kiln.TimeDistributed;
import dev.kiln.processor.parse.Attributes;
import java.util.List;
import java.util.Optional;

/** The table of layer kinds: one entry per layer annotation Kiln understands. */
public final class LayerKinds {

  private static final List<LayerKind> ALL =
      List.of(
          new InputKind(),
          new DenseKind(),
          new Conv2DKind(),
          new Conv2DTransposeKind(),
          PoolingKind.MAX,
          PoolingKind.AVERAGE,
          GlobalPoolingKind.AVERAGE,
          GlobalPoolingKind.MAX,
          new FlattenKind(),
          new ReshapeKind(),
          new ConcatenateKind(),
          ElementwiseKind.ADD,
          ElementwiseKind.SUBTRACT,
          ElementwiseKind.MULTIPLY,
          ElementwiseKind.AVERAGE,
          ElementwiseKind.MAXIMUM,
          ElementwiseKind.MINIMUM,
          new DropoutKind(),
          new UpSampling2DKind(),
          BorderKind.CROPPING,
          BorderKind.ZERO_PADDING,
          new BatchNormalizationKind(),
          new LayerNormalizationKind(),
          new ActivationLayerKind(),
          new LeakyReLUKind(),
          new SoftmaxKind(),
          new DotKind(),
          RecurrentKind.LSTM_KIND,
          RecurrentKind.GRU_KIND,
          RecurrentKind.SIMPLE_RNN_KIND,
          new EmbeddingKind(),
          new Conv1DKind(),
          Pooling1DKind.MAX,
          Pooling1DKind.AVERAGE,
          GlobalPooling1DKind.AVERAGE,
          GlobalPooling1DKind.MAX,
          new UpSampling1DKind(),
          new DepthwiseConv2DKind(),
          new SeparableConv2DKind(),
          new MultiHeadAttentionKind(),
          new PositionEmbeddingKind(),
          new MaskingKind());

  private LayerKinds() {}

  public static List<LayerKind> all() {
    return ALL;
  }

  /** Whether the annotation with this canonical name wraps the layer annotation next to it. */
  public static boolean isWrapper(String canonicalName) {
    return canonicalName.equals(TimeDistributed.class.getCanonicalName())
        || canonicalName.equals(Bidirectional.class.getCanonicalName());
  }

  /**
   * Why the wrapper annotation {@code wrapper} cannot wrap a layer of kind {@code inner}, or null
   * when it can.
   */
  public static String cannotWrap(String wrapper, LayerKind inner) {
    String annotation = "@" + inner.annotation().getSimpleName();
    if (wrapper.equals(TimeDistributed.class.getCanonicalName())) {
      return inner.isInput() || inner.arity().min() != 1 || inner.arity().max() != 1
          ? "@TimeDistributed applies a layer with one input to each step of a sequence, but "
              + annotation + " takes " + inner.arity().describe()
          : null;
    }
    return inner instanceof RecurrentKind
        ? null
        : "@Bidirectional runs a recurrent layer (@LSTM, @GRU or @SimpleRNN) both ways along a"
            + " sequence, but " + annotation + " is not one";
  }

  /** {@code inner} wrapped by the wrapper annotation {@code wrapper}, which {@link #cannotWrap} allows. */
  public static LayerKind wrap(String wrapper, Attributes wrapperAttributes, LayerKind inner) {
    if (wrapper.equals(TimeDistributed.class.getCanonicalName())) {
      return new TimeDistributedKind(inner);
    }
    return new BidirectionalKind(
        (RecurrentKind) inner, wrapperAttributes.enumValue("mergeMode", MergeMode.class));
  }

  /** The kind declared by the annotation with this canonical name. */
  public static Optional<LayerKind> byAnnotation(String canonicalName) {
    return ALL.stream()
        .filter(kind -> kind.annotation().getCanonicalName().equals(canonicalName))
        .findFirst();
  }
}
