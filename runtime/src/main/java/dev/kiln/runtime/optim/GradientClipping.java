package dev.kiln.runtime.optim;

/**
 * Keras' gradient clipping, at most one kind per optimizer as Keras allows: {@code clipnorm}
 * scales each parameter array's gradient down to that norm, {@code global_clipnorm} scales all
 * of them together down to that joint norm, and {@code clipvalue} clamps each value.
 *
 * @param kind which clipping, or {@link Kind#NONE}
 * @param limit the norm or value limit; positive
 */
public record GradientClipping(Kind kind, double limit) {

  /** The kinds of clipping; Keras' attribute names in lowerCamelCase. */
  public enum Kind {
    NONE,
    CLIP_NORM,
    GLOBAL_CLIP_NORM,
    CLIP_VALUE
  }

  /** No clipping. */
  public static final GradientClipping NONE = new GradientClipping(Kind.NONE, Double.NaN);

  public GradientClipping {
    if (kind != Kind.NONE && !(limit > 0 && !Double.isInfinite(limit))) {
      throw new IllegalArgumentException(
          kerasName(kind) + " must be a positive number, got " + limit);
    }
  }

  /** Keras' {@code clipnorm}: each array's gradient {@code g * limit / max(||g||, limit)}. */
  public static GradientClipping clipNorm(double limit) {
    return new GradientClipping(Kind.CLIP_NORM, limit);
  }

  /** Keras' {@code global_clipnorm}: every gradient times {@code limit / max(||all||, limit)}. */
  public static GradientClipping globalClipNorm(double limit) {
    return new GradientClipping(Kind.GLOBAL_CLIP_NORM, limit);
  }

  /** Keras' {@code clipvalue}: each gradient value clamped to {@code [-limit, limit]}. */
  public static GradientClipping clipValue(double limit) {
    return new GradientClipping(Kind.CLIP_VALUE, limit);
  }

  private static String kerasName(Kind kind) {
    return switch (kind) {
      case NONE -> "no clipping";
      case CLIP_NORM -> "clipNorm";
      case GLOBAL_CLIP_NORM -> "globalClipNorm";
      case CLIP_VALUE -> "clipValue";
    };
  }

  @Override
  public String toString() {
    return kind == Kind.NONE ? "no clipping" : kerasName(kind) + " " + limit;
  }
}
