package dev.kiln.processor.layers;

/** Small pieces of English for diagnostics. */
public final class Words {

  private Words() {}

  /** {@code a Dense layer}, {@code an Activation layer}, {@code an LSTM layer}. */
  public static String aLayer(LayerKind kind) {
    String name = kind.kerasName();
    boolean acronym = name.length() > 1 && Character.isUpperCase(name.charAt(1));
    // An acronym is read letter by letter: "an LSTM", "a GRU".
    String vowelSounds = acronym ? "AEFHILMNORSX" : "AEIOU";
    return (vowelSounds.indexOf(name.charAt(0)) >= 0 ? "an " : "a ") + name + " layer";
  }
}
