package dev.kiln.runtime.callbacks;

import dev.kiln.runtime.Callback;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Keras' {@code CSVLogger}: one row per epoch in the format Keras writes, so tools that read
 * Keras' logs read these. A header {@code epoch} then the logs' names, sorted as Keras sorts
 * them; the epoch as Keras numbers it, from 0; numbers as Python prints them ({@code
 * 0.6931471805599453}, {@code 1e-05}, {@code nan}); {@code NA} for a value an epoch lacks; lines
 * ending in CRLF, as Python's csv module ends them. The names are those of the first epoch, so
 * place this after callbacks that add to the logs ({@code learning_rate}).
 *
 * <p>Each row is written and flushed as its epoch ends: the log survives a crash.
 */
public final class CSVLogger implements Callback {

  private static final String LINE_END = "\r\n";

  private final Path file;
  private final char separator;
  private final boolean append;
  private List<String> keys;

  /** Writes {@code file} afresh, separated by commas. */
  public CSVLogger(Path file) {
    this(file, ',', false);
  }

  private CSVLogger(Path file, char separator, boolean append) {
    if (file == null) {
      throw new IllegalArgumentException("CSVLogger needs a file");
    }
    if (separator == '"' || separator == '\r' || separator == '\n') {
      throw new IllegalArgumentException(
          "CSVLogger's separator cannot be a quote or a line break, got " + separator);
    }
    this.file = file;
    this.separator = separator;
    this.append = append;
  }

  /** Keras' {@code separator}. */
  public CSVLogger separator(char separator) {
    return new CSVLogger(file, separator, append);
  }

  /** Keras' {@code append}: add rows to an existing file, with a header only if it is empty. */
  public CSVLogger append(boolean append) {
    return new CSVLogger(file, separator, append);
  }

  @Override
  public void onTrainBegin(Training training) {
    keys = null;
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      if (!append) {
        Files.write(file, new byte[0]);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("CSVLogger cannot write " + file, e);
    }
  }

  @Override
  public void onEpochEnd(int epoch, Map<String, Double> logs) {
    StringBuilder text = new StringBuilder();
    if (keys == null) {
      keys = new ArrayList<>(logs.keySet());
      keys.sort(null);
      if (isEmpty()) {
        StringJoiner header = new StringJoiner(String.valueOf(separator), "", LINE_END);
        header.add("epoch");
        keys.forEach(key -> header.add(quoted(key)));
        text.append(header);
      }
    }
    StringJoiner row = new StringJoiner(String.valueOf(separator), "", LINE_END);
    row.add(Integer.toString(epoch - 1));
    for (String key : keys) {
      Double value = logs.get(key);
      row.add(value == null ? "NA" : PythonFormat.repr(value));
    }
    text.append(row);
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("CSVLogger cannot write " + file, e);
    }
  }

  private boolean isEmpty() {
    try {
      return !Files.exists(file) || Files.size(file) == 0;
    } catch (IOException e) {
      throw new UncheckedIOException("CSVLogger cannot read " + file, e);
    }
  }

  /** A field quoted as Python's csv module quotes it: only if it must be. */
  private String quoted(String field) {
    boolean plain = field.indexOf(separator) < 0 && field.indexOf('"') < 0
        && field.indexOf('\r') < 0 && field.indexOf('\n') < 0;
    return plain ? field : '"' + field.replace("\"", "\"\"") + '"';
  }
}
