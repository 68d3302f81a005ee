package dev.kiln.processor.layers;

import dev.kiln.processor.check.Report;
import dev.kiln.processor.check.Tag;
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
  static boolean checkPair(LayerDecl layer, String attribute, int min, Report.Builder report) {
    int[] values = layer.attributes().intArray(attribute);
    if (values.length < 1 || values.length > 2) {
      bad(layer, attribute, attribute + " of " + layer.name() + " has " + values.length
          + " values, but it takes one for both axes or two (rows, columns); write "
          + attribute + " = 3 or " + attribute + " = {3, 2}", report);
      return false;
    }
    for (int value : values) {
      if (value < min) {
        bad(layer, attribute, attribute + " = " + value + " on " + layer.name() + ", but each"
            + " value must be at least " + min + "; use " + min + " or more", report);
        return false;
      }
    }
    return true;
  }

  /** Reports unless the attribute has one, two or four values, none negative. */
  static boolean checkSides(LayerDecl layer, String attribute, Report.Builder report) {
    int[] values = layer.attributes().intArray(attribute);
    if (values.length != 1 && values.length != 2 && values.length != 4) {
      bad(layer, attribute, attribute + " of " + layer.name() + " has " + values.length
          + " values, but it takes one for every side, two (rows, columns) or four (top, bottom,"
          + " left, right)", report);
      return false;
    }
    for (int value : values) {
      if (value < 0) {
        bad(layer, attribute, attribute + " of " + layer.name() + " has " + value
            + ", but sizes cannot be negative; use 0 or more", report);
        return false;
      }
    }
    return true;
  }

  /** Reports unless the attribute is at least 1. */
  static void checkPositive(LayerDecl layer, String attribute, String what, Report.Builder report) {
    int value = layer.attributes().intValue(attribute);
    if (value < 1) {
      bad(layer, attribute, attribute + " = " + value + " on " + layer.name() + ", but "
          + Words.aLayer(layer.kind()) + " needs at least one " + what + "; use " + attribute
          + " = 1 or more", report);
    }
  }

  static void bad(LayerDecl layer, String attribute, String message, Report.Builder report) {
    report.error(Tag.BAD_ATTRIBUTE, message, layer.site(attribute));
  }
}
