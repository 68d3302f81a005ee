package dev.kiln.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScoresTest {

  @Test
  void formatUsesFourDecimalsFromOneThousandthUp() {
    assertEquals("0.8273", Scores.format(0.82734));
    assertEquals("0.8274", Scores.format(0.82736));
    assertEquals("12.5000", Scores.format(12.5));
    assertEquals("0.0010", Scores.format(0.001));
    assertEquals("-0.2500", Scores.format(-0.25));
  }

  @Test
  void formatIsScientificBelowOneThousandth() {
    assertEquals("9.9000e-04", Scores.format(0.00099));
    assertEquals("1.2346e-07", Scores.format(1.23456e-7));
    assertEquals("-5.0000e-04", Scores.format(-0.0005));
  }

  @Test
  void formatWritesZeroWithDecimals() {
    assertEquals("0.0000", Scores.format(0.0));
  }

  @Test
  void formatUsesADecimalPointWhateverTheDefaultLocale() {
    Locale saved = Locale.getDefault();
    try {
      Locale.setDefault(Locale.GERMANY);
      assertEquals(
          "0.8273",
          Scores.format(0.82734),
          "Scores.format calls String.format without a Locale, so with a German default locale "
              + "the progress bar and Scores.toString print \"loss: 0,8273\"");
      assertEquals("9.9000e-04", Scores.format(0.00099));
    } finally {
      Locale.setDefault(saved);
    }
  }

  @Test
  void toStringJoinsNamesAndValuesInOrder() {
    Map<String, Double> values = new LinkedHashMap<>();
    values.put("loss", 0.34124);
    values.put("accuracy", 0.88116);
    values.put("val_loss", 0.0002);
    Scores scores = new Scores(values);
    assertEquals("loss: 0.3412 - accuracy: 0.8812 - val_loss: 2.0000e-04", scores.toString());
    assertEquals(List.of("loss", "accuracy", "val_loss"), List.copyOf(scores.asMap().keySet()));
    assertEquals(0.34124, scores.loss());
    assertEquals(0.88116, scores.get("accuracy"));
  }

  @Test
  void unknownNameIsAnErrorListingTheKnownOnes() {
    Scores scores = new Scores(Map.of("loss", 1.0));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> scores.get("accuracy"));
    assertTrue(
        e.getMessage().contains("accuracy") && e.getMessage().contains("[loss]"), e.getMessage());
  }

  @Test
  void scoresDoNotChangeWithTheirSourceMap() {
    Map<String, Double> values = new LinkedHashMap<>(Map.of("loss", 1.0));
    Scores scores = new Scores(values);
    values.put("loss", 2.0);
    assertEquals(1.0, scores.loss());
    assertThrows(UnsupportedOperationException.class, () -> scores.asMap().put("loss", 3.0));
  }
}
