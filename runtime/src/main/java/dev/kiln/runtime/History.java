package dev.kiln.runtime;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The loss and metrics of every epoch of a {@code fit}, under Keras' names. */
public final class History {

  private final Map<String, List<Double>> values = new LinkedHashMap<>();
  private int epochs;

  /**
   * Adds one epoch's values; {@code fit} calls it, and so do training loops outside the runtime
   * (kiln-spark's).
   */
  public void append(Map<String, Double> logs) {
    logs.forEach((name, value) -> values.computeIfAbsent(name, key -> new ArrayList<>()).add(value));
    epochs++;
  }

  /** One value per epoch, such as {@code get("val_accuracy")}. */
  public List<Double> get(String name) {
    List<Double> series = values.get(name);
    if (series == null) {
      throw new IllegalArgumentException("no value named '" + name + "'; have " + values.keySet());
    }
    return Collections.unmodifiableList(series);
  }

  /** The value of the last epoch. */
  public double last(String name) {
    List<Double> series = get(name);
    return series.get(series.size() - 1);
  }

  /** How many epochs ran. */
  public int epochs() {
    return epochs;
  }

  /** Every series, by name. */
  public Map<String, List<Double>> asMap() {
    return Collections.unmodifiableMap(values);
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
