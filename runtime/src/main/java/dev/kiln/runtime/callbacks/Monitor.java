package dev.kiln.runtime.callbacks;

import java.util.Map;

/** A value of the epoch logs that a callback watches, and which way is better for it. */
final class Monitor {

  private final String callback;
  private final String name;
  private final boolean higherIsBetter;

  /** {@code callback} names the watcher in messages. */
  Monitor(String callback, String name, Mode mode) {
    this.callback = callback;
    this.name = name;
    this.higherIsBetter = switch (mode) {
      case MIN -> false;
      case MAX -> true;
      case AUTO -> higherIsBetter(callback, name);
    };
  }

  /** Checks a monitored name as given to a callback's setter. */
  static String requireName(String callback, String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(
          callback + " needs the name of a value to monitor, such as \"val_loss\"");
    }
    return name;
  }

  String name() {
    return name;
  }

  /** The monitored value of an epoch; an error naming the values there are if it is missing. */
  double value(Map<String, Double> logs) {
    Double value = logs.get(name);
    if (value == null) {
      String hint = name.startsWith("val_")
          && logs.keySet().stream().noneMatch(key -> key.startsWith("val_"))
          ? "; give fit validation data (FitOptions.validationData or validationSplit)"
          : "; monitor one of these";
      throw new IllegalArgumentException(
          callback + " monitors '" + name + "' but the epoch's logs have " + logs.keySet() + hint);
    }
    return value;
  }

  /**
   * Whether {@code current} beats {@code reference} by more than {@code minDelta}; anything beats
   * {@code NaN}, the reference before the first epoch.
   */
  boolean improves(double current, double reference, double minDelta) {
    if (Double.isNaN(reference)) {
      return !Double.isNaN(current);
    }
    return higherIsBetter ? current - minDelta > reference : current + minDelta < reference;
  }

  private static boolean higherIsBetter(String callback, String name) {
    String metric = name.startsWith("val_") ? name.substring(4) : name;
    if (metric.endsWith("loss") || metric.endsWith("error")) {
      return false;
    }
    if (metric.endsWith("accuracy") || metric.endsWith("precision") || metric.endsWith("recall")) {
      return true;
    }
    throw new IllegalArgumentException(
        callback + " cannot tell whether '" + name + "' improves up or down; give"
            + " mode(Mode.MAX) or mode(Mode.MIN)");
  }
}
