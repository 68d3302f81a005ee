package dev.kiln.processor.layers;

/** Small pieces of English for diagnostics. */
public final class Words {

  private Words() {}

  /** {@code a Dense layer}, {@code an Activation layer}. */
  public static String aLayer(LayerKind kind) {
    String name = kind.kerasName();
    return ("AEIOU".indexOf(name.charAt(0)) >= 0 ? "an " : "a ") + name + " layer";
  }
}
