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
          ElementwiseKind.MULTIPLY,
          new DropoutKind(),
          new UpSampling2DKind(),
          BorderKind.CROPPING,
          BorderKind.ZERO_PADDING,
          new BatchNormalizationKind(),
          new ActivationLayerKind(),
          RecurrentKind.LSTM_KIND,
          RecurrentKind.GRU_KIND,
          RecurrentKind.SIMPLE_RNN_KIND,
          new EmbeddingKind());

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
   * {@code inner} wrapped by the wrapper annotation {@code wrapper}, or empty with the reason in
   * {@code problem} when that wrapper cannot wrap that kind.
   */
  public static Optional<LayerKind> wrap(
      String wrapper, Attributes wrapperAttributes, LayerKind inner, StringBuilder problem) {
    if (wrapper.equals(TimeDistributed.class.getCanonicalName())) {
      if (inner.isInput() || inner.arity().min() != 1 || inner.arity().max() != 1) {
        problem.append("@TimeDistributed wraps a layer with one input, not @").append(inner.kerasName());
        return Optional.empty();
      }
      return Optional.of(new TimeDistributedKind(inner));
    }
    if (!(inner instanceof RecurrentKind recurrent)) {
      problem.append("@Bidirectional wraps a recurrent layer (@LSTM, @GRU or @SimpleRNN), not @")
          .append(inner.kerasName());
      return Optional.empty();
    }
    return Optional.of(
        new BidirectionalKind(recurrent, wrapperAttributes.enumValue("mergeMode", MergeMode.class)));
  }

  /** The kind declared by the annotation with this canonical name. */
  public static Optional<LayerKind> byAnnotation(String canonicalName) {
    return ALL.stream()
        .filter(kind -> kind.annotation().getCanonicalName().equals(canonicalName))
        .findFirst();
  }
}
