package dev.kiln.runtime;

/**
 * One application of a block (or of a model used as a layer) at the top of a generated model. Its
 * layers are the model's layers named {@code name} (its first output) or {@code name/...}; the
 * summary and the picture show them as one row or box unless asked to expand them.
 *
 * @param name the application's name, the method that applies the block
 * @param type the block's simple name, or {@code Functional} for a model, as Keras types it
 */
public record ApplicationSpec(String name, String type) {

  /** Whether {@code layer} is one of this application's layers. */
  public boolean holds(String layer) {
    return layer.equals(name) || layer.startsWith(name + "/");
  }
}
