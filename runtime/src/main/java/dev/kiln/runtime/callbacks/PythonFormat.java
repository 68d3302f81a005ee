package dev.kiln.runtime.callbacks;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.IllegalFormatException;
import java.util.Locale;

/**
 * Numbers written as Keras writes them, through Python: {@code repr} of a float in its CSV log,
 * and format specs such as {@code 02d} or {@code .4f} in checkpoint file names. Files Kiln writes
 * for Keras' tools then read the same.
 */
final class PythonFormat {

  private PythonFormat() {}

  /**
   * Python's {@code repr(float)}: the shortest digits that read back as the same double, in
   * positional notation from 1e-4 to 1e16 ({@code 0.0001}, {@code 123.0}), scientific outside
   * ({@code 1e-05}, {@code 1.5e+16}); {@code nan}, {@code inf}.
   */
  static String repr(double value) {
    if (Double.isNaN(value)) {
      return "nan";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "inf" : "-inf";
    }
    if (value == 0) {
      return (1 / value < 0) ? "-0.0" : "0.0";
    }
    BigDecimal shortest = shortest(value);
    String digits = shortest.unscaledValue().abs().toString().replaceAll("0+$", "");
    // The value is 0.<digits> * 10^point.
    int point = shortest.precision() - shortest.scale();
    String sign = value < 0 ? "-" : "";
    if (point <= -4 || point > 16) {
      String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      int exponent = point - 1;
      return sign + mantissa + String.format(Locale.ROOT, "e%s%02d", exponent < 0 ? "-" : "+",
          Math.abs(exponent));
    }
    if (point <= 0) {
      return sign + "0." + "0".repeat(-point) + digits;
    }
    if (point >= digits.length()) {
      return sign + digits + "0".repeat(point - digits.length()) + ".0";
    }
    return sign + digits.substring(0, point) + "." + digits.substring(point);
  }

  /**
   * {@code value} formatted by the Python format spec {@code spec} ({@code 02d}, {@code .2f},
   * {@code .3e}; empty for {@code str}); {@code what} names the field in messages.
   */
  static String format(String spec, Object value, String what) {
    if (spec.isEmpty()) {
      return value instanceof Double number ? repr(number) : String.valueOf(value);
    }
    Object argument = value;
    if (spec.endsWith("d") && value instanceof Double number) {
      argument = Math.round(number);
    } else if (!spec.endsWith("d") && value instanceof Integer number) {
      argument = number.doubleValue();
    }
    try {
      return String.format(Locale.ROOT, "%" + spec, argument);
    } catch (IllegalFormatException e) {
      throw new IllegalArgumentException(
          "cannot format " + what + " with {" + spec + "}; use a spec such as 02d, .4f or .3e");
    }
  }

  /** The decimal with the fewest digits that reads back as {@code value}, rounding half even. */
  private static BigDecimal shortest(double value) {
    BigDecimal exact = new BigDecimal(value);
    for (int digits = 1; digits < 17; digits++) {
      BigDecimal rounded = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
      if (rounded.doubleValue() == value) {
        return rounded;
      }
    }
    return exact.round(new MathContext(17, RoundingMode.HALF_EVEN));
  }
}
