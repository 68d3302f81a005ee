package dev.kiln.runtime.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FilePatternTest {

  @Test
  void epochAndLoggedValuesAreFilledInAsKerasDoes() {
    FilePattern pattern = new FilePattern(Path.of("out/model-{epoch:02d}-{val_loss:.3f}.kiln"));
    assertEquals(Path.of("out/model-03-0.124.kiln"),
        pattern.format(3, Map.of("loss", 0.2, "val_loss", 0.12351)));
    assertEquals(Path.of("best.kiln"), new FilePattern(Path.of("best.kiln")).format(9, Map.of()));
    assertEquals(Path.of("e12"), new FilePattern(Path.of("e{epoch}")).format(12, Map.of()));
  }

  @Test
  void unknownPlaceholdersAndStrayBracesAreErrors() {
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
        () -> new FilePattern(Path.of("m-{val_acc}.kiln")).format(1, Map.of("loss", 0.5)));
    assertTrue(unknown.getMessage().contains("{val_acc}")
        && unknown.getMessage().contains("[loss]"), unknown.getMessage());
    IllegalArgumentException stray = assertThrows(IllegalArgumentException.class,
        () -> new FilePattern(Path.of("m-{epoch.kiln")));
    assertTrue(stray.getMessage().contains("brace"), stray.getMessage());
  }
}
