package dev.kiln.processor.layers;

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
          new ActivationLayerKind());

  private LayerKinds() {}

  public static List<LayerKind> all() {
    return ALL;
  }

  /** The kind declared by the annotation with this canonical name. */
  public static Optional<LayerKind> byAnnotation(String canonicalName) {
    return ALL.stream()
        .filter(kind -> kind.annotation().getCanonicalName().equals(canonicalName))
        .findFirst();
  }
}
