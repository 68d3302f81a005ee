package dev.kiln.runtime.callbacks;

import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A checkpoint file name with Keras' placeholders: {@code {epoch}} (from 1, as Keras numbers
 * files) and any value of the epoch's logs, each with an optional Python format spec, as in
 * {@code weights-{epoch:02d}-{val_loss:.2f}.kiln}.
 */
final class FilePattern {

  private static final Pattern FIELD = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)(?::([^{}]*))?}");

  private final String pattern;

  FilePattern(Path path) {
    if (path == null) {
      throw new IllegalArgumentException("ModelCheckpoint needs a file path");
    }
    this.pattern = path.toString();
    String rest = FIELD.matcher(pattern).replaceAll("");
    if (rest.contains("{") || rest.contains("}")) {
      throw new IllegalArgumentException(
          "ModelCheckpoint's path " + pattern + " has a brace that is not a placeholder such as"
              + " {epoch} or {val_loss:.2f}");
    }
  }

  /** The path for {@code epoch} with {@code logs}. */
  Path format(int epoch, Map<String, Double> logs) {
    Matcher field = FIELD.matcher(pattern);
    StringBuilder path = new StringBuilder();
    while (field.find()) {
      String name = field.group(1);
      String spec = field.group(2) == null ? "" : field.group(2);
      Object value = name.equals("epoch") ? (Object) epoch : logs.get(name);
      if (value == null) {
        throw new IllegalArgumentException(
            "ModelCheckpoint's path " + pattern + " uses {" + name + "}, which is neither"
                + " {epoch} nor one of the epoch's logs " + logs.keySet());
      }
      field.appendReplacement(path,
          Matcher.quoteReplacement(PythonFormat.format(spec, value, "{" + name + "}")));
    }
    field.appendTail(path);
    return Path.of(path.toString());
  }
}
