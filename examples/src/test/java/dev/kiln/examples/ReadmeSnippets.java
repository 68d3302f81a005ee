package dev.kiln.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The fenced code blocks of one section of the repository's README.md, as a reader copies them. */
final class ReadmeSnippets {

  /** One fenced block: its language (the word after the opening fence) and its text. */
  record Snippet(String language, String text) {}

  private ReadmeSnippets() {}

  /** The README at the repository root, found from a module's directory (Surefire's working one). */
  static Path readme() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("README.md");
      if (Files.isRegularFile(candidate) && Files.isDirectory(dir.resolve("processor"))) {
        return candidate;
      }
    }
    throw new IllegalStateException("no README.md above " + Path.of("").toAbsolutePath());
  }

  /** The blocks between the heading {@code ## title} and the next heading of that level. */
  static List<Snippet> section(Path readme, String title) throws IOException {
    List<String> lines = Files.readAllLines(readme);
    int start = lines.indexOf("## " + title);
    if (start < 0) {
      throw new IllegalStateException(readme + " has no section '## " + title + "'");
    }
    List<Snippet> snippets = new ArrayList<>();
    String language = null;
    StringBuilder text = new StringBuilder();
    for (String line : lines.subList(start + 1, lines.size())) {
      if (language == null && line.startsWith("## ")) {
        break;
      }
      if (line.startsWith("```")) {
        if (language == null) {
          language = line.substring(3).trim();
          text.setLength(0);
        } else {
          snippets.add(new Snippet(language, text.toString()));
          language = null;
        }
      } else if (language != null) {
        text.append(line).append('\n');
      }
    }
    return snippets;
  }

  /** The blocks of one language, in order. */
  static List<String> ofLanguage(List<Snippet> snippets, String language) {
    return snippets.stream().filter(s -> s.language().equals(language)).map(Snippet::text).toList();
  }
}
