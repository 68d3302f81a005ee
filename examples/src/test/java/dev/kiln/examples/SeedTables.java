package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The seed document's Keras summary tables, and comparison with Kiln's. */
final class SeedTables {

  /** One layer row: name, type, output shape, parameter count, and the layers it reads. */
  record Row(String name, String type, String shape, long params, List<String> connectedTo) {}

  private static final Pattern LAYER =
      Pattern.compile("^(\\S+) \\((\\w+)\\)\\s+(\\(None[^)]*\\))\\s+(\\d+)\\s*(\\S*)$");
  private static final Pattern CONTINUATION = Pattern.compile("^\\s+(\\S+)$");

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

  /**
   * Row by row and number for number, where Kiln names some layers differently: Keras named
   * them automatically ({@code flatten_1}) or the seed's names are not distinct Java names.
   * {@code renames} maps the seed's names to Kiln's.
   */
  static void assertSameRows(String seedName, String kilnSummary, Map<String, String> renames) {
    List<Row> expected = new ArrayList<>();
    for (Row row : rows(table(seedName))) {
      expected.add(new Row(
          renames.getOrDefault(row.name(), row.name()),
          row.type(),
          row.shape(),
          row.params(),
          row.connectedTo().stream().map(name -> {
            String layer = name.substring(0, name.indexOf('['));
            return renames.getOrDefault(layer, layer) + name.substring(name.indexOf('['));
          }).toList()));
    }
    assertEquals(expected, rows(kilnSummary));
    assertEquals(totals(table(seedName)), totals(kilnSummary));
  }

  static List<Row> rows(String table) {
    List<Row> rows = new ArrayList<>();
    for (String line : table.lines().map(String::stripTrailing).toList()) {
      Matcher layer = LAYER.matcher(line);
      Matcher continuation = CONTINUATION.matcher(line);
      if (layer.matches()) {
        List<String> inputs = new ArrayList<>();
        if (!layer.group(5).isEmpty()) {
          inputs.add(layer.group(5));
        }
        rows.add(new Row(layer.group(1), layer.group(2), layer.group(3),
            Long.parseLong(layer.group(4)), inputs));
      } else if (continuation.matches() && !rows.isEmpty() && !line.isBlank()) {
        rows.get(rows.size() - 1).connectedTo().add(continuation.group(1));
      }
    }
    return rows;
  }

  private static String totals(String table) {
    return table.lines().filter(line -> line.contains("params:")).collect(Collectors.joining("\n"));
  }

  private static String normalized(String text) {
    return text.lines().map(String::stripTrailing).collect(Collectors.joining("\n")).strip();
  }
}
