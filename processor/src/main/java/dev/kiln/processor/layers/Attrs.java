package dev.kiln.processor.layers;

import dev.kiln.processor.check.Report;
import dev.kiln.processor.parse.LayerDecl;

/** Reading and checking the array attributes of 2-D layers. */
final class Attrs {

  private Attrs() {}

  /** A (rows, columns) pair written as one value for both or as two values. */
  static int[] pair(LayerDecl layer, String attribute) {
    int[] values = layer.attributes().intArray(attribute);
    return values.length == 1 ? new int[] {values[0], values[0]} : values;
  }

  /** (top, bottom, left, right) written as one value, two (rows, columns) or four. */
  static int[] sides(LayerDecl layer, String attribute) {
    int[] values = layer.attributes().intArray(attribute);
    return switch (values.length) {
      case 1 -> new int[] {values[0], values[0], values[0], values[0]};
      case 2 -> new int[] {values[0], values[0], values[1], values[1]};
      default -> values;
    };
  }

  /** Reports unless the attribute has one or two values, each at least {@code min}. */
  static boolean checkPair(LayerDecl layer, String attribute, int min, Report report) {
    int[] values = layer.attributes().intArray(attribute);
    if (values.length < 1 || values.length > 2) {
      bad(layer, attribute, attribute + " of " + layer.name() + " has " + values.length
          + " values; give one for both axes or two (rows, columns)", report);
      return false;
    }
    for (int value : values) {
      if (value < min) {
        bad(layer, attribute, attribute + " = " + value + " on " + layer.name() + "; it must be at"
            + " least " + min, report);
        return false;
      }
    }
    return true;
  }

  /** Reports unless the attribute has one, two or four values, none negative. */
  static boolean checkSides(LayerDecl layer, String attribute, Report report) {
    int[] values = layer.attributes().intArray(attribute);
    if (values.length != 1 && values.length != 2 && values.length != 4) {
      bad(layer, attribute, attribute + " of " + layer.name() + " has " + values.length
          + " values; give one for every side, two (rows, columns) or four (top, bottom, left,"
          + " right)", report);
      return false;
    }
    for (int value : values) {
      if (value < 0) {
        bad(layer, attribute, attribute + " of " + layer.name() + " has " + value
            + "; sizes cannot be negative", report);
        return false;
      }
    }
    return true;
  }

  static void bad(LayerDecl layer, String attribute, String message, Report report) {
    report.error(
        "BadAttribute",
        message,
        layer.method(),
        layer.attributes().mirror(),
        layer.attributes().written(attribute));
  }
}
