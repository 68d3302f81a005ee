package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;

/** The seed document's Keras summary tables, and comparison with Kiln's. */
final class SeedTables {

  private SeedTables() {}

  static String table(String name) {
    try (InputStream in = SeedTables.class.getResourceAsStream("/seed/" + name + ".txt")) {
      if (in == null) {
        throw new IllegalArgumentException("no seed table " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Line by line, ignoring trailing spaces (the seed's copy lost Keras' padding). */
  static void assertSameTable(String seedName, String kilnSummary) {
    assertEquals(normalized(table(seedName)), normalized(kilnSummary));
  }

  private static String normalized(String text) {
    return text.lines().map(String::stripTrailing).collect(Collectors.joining("\n")).strip();
  }
}
