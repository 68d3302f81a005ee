package dev.kiln.runtime;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.Locale;

/** Named loss and metric values, such as {@code evaluate} returns: {@code loss}, {@code accuracy}. */
public final class Scores {

  private final Map<String, Double> values;

  Scores(Map<String, Double> values) {
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** The total (weighted) loss. */
  public double loss() {
    return get("loss");
  }

  /** The value named {@code name}, as Keras names it ({@code accuracy}, {@code output1_loss}). */
  public double get(String name) {
    Double value = values.get(name);
    if (value == null) {
      throw new IllegalArgumentException("no value named '" + name + "'; have " + values.keySet());
    }
    return value;
  }

  /** Every value, in the order the progress bar prints them. */
  public Map<String, Double> asMap() {
    return values;
  }

  /** {@code loss: 0.3412 - accuracy: 0.8812}. */
  @Override
  public String toString() {
    StringJoiner joiner = new StringJoiner(" - ");
    values.forEach((name, value) -> joiner.add(name + ": " + format(value)));
    return joiner.toString();
  }

  /** Keras' number format: four decimals, or scientific below 1e-3. */
  static String format(double value) {
    return value != 0 && Math.abs(value) < 1e-3
        ? String.format(Locale.ROOT, "%.4e", value)
        : String.format(Locale.ROOT, "%.4f", value);
  }
}
