package dev.kiln.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HistoryTest {

  private static Map<String, Double> logs(double loss, double valLoss) {
    Map<String, Double> logs = new LinkedHashMap<>();
    logs.put("loss", loss);
    logs.put("val_loss", valLoss);
    return logs;
  }

  @Test
  void keepsOneValuePerEpochUnderEachName() {
    History history = new History();
    history.append(logs(0.9, 1.0));
    history.append(logs(0.5, 0.7));
    history.append(logs(0.3, 0.6));
    assertEquals(3, history.epochs());
    assertEquals(List.of(0.9, 0.5, 0.3), history.get("loss"));
    assertEquals(List.of(1.0, 0.7, 0.6), history.get("val_loss"));
    assertEquals(0.6, history.last("val_loss"));
    assertEquals(List.of("loss", "val_loss"), List.copyOf(history.asMap().keySet()));
  }

  @Test
  void seriesCannotBeChangedThroughTheirViews() {
    History history = new History();
    history.append(logs(0.9, 1.0));
    assertThrows(UnsupportedOperationException.class, () -> history.get("loss").add(0.1));
    assertThrows(UnsupportedOperationException.class, () -> history.asMap().clear());
  }

  @Test
  void unknownNameIsAnErrorListingTheKnownOnes() {
    History history = new History();
    history.append(logs(0.9, 1.0));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> history.get("accuracy"));
    assertTrue(
        e.getMessage().contains("accuracy") && e.getMessage().contains("val_loss"), e.getMessage());
  }
}
