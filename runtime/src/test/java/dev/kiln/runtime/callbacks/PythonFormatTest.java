package dev.kiln.runtime.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Numbers as Python's {@code repr} and format specs write them; expected values from CPython. */
class PythonFormatTest {

  @Test
  void reprMatchesCPython() {
    Map<Double, String> cases = new LinkedHashMap<>();
    cases.put(0.1, "0.1");
    cases.put(0.6931471805599453, "0.6931471805599453");
    cases.put(1.0, "1.0");
    cases.put(123.0, "123.0");
    cases.put(-2.5, "-2.5");
    cases.put(0.0001, "0.0001");
    cases.put(1e-5, "1e-05");
    cases.put(1.5e-7, "1.5e-07");
    cases.put(1e15, "1000000000000000.0");
    cases.put(1e16, "1e+16");
    cases.put(1.2345e17, "1.2345e+17");
    cases.put(0.3 + 0.6, "0.8999999999999999");
    cases.put(0.0, "0.0");
    cases.put(-0.0, "-0.0");
    cases.put(Double.NaN, "nan");
    cases.put(Double.POSITIVE_INFINITY, "inf");
    cases.put(Double.NEGATIVE_INFINITY, "-inf");
    cases.put((double) 0.1f, "0.10000000149011612");
    cases.put(5e-324, "5e-324");
    cases.put(Double.MAX_VALUE, "1.7976931348623157e+308");
    cases.forEach((value, expected) -> assertEquals(expected, PythonFormat.repr(value), "repr"));
  }

  @Test
  void formatSpecsAreThoseOfPythonsFormat() {
    assertEquals("07", PythonFormat.format("02d", 7, "{epoch}"));
    assertEquals("0.35", PythonFormat.format(".2f", 0.3456, "{val_loss}"));
    assertEquals("3.456e-01", PythonFormat.format(".3e", 0.3456, "{val_loss}"));
    assertEquals("12", PythonFormat.format("", 12, "{epoch}"));
    assertEquals("0.25", PythonFormat.format("", 0.25, "{loss}"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PythonFormat.format("q", 0.5, "{loss}"));
    assertTrue(e.getMessage().contains("{loss}") && e.getMessage().contains(".4f"),
        e.getMessage());
  }
}
