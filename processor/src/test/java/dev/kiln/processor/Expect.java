package dev.kiln.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.testing.compile.Compilation;
import dev.kiln.processor.check.Tag;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;

/**
 * Assertions on Kiln's diagnostics: one diagnostic with a tag and key words of its message,
 * where javac places it (the line, and the column, which tells the element from its annotation
 * and the annotation from one of its values), and that nothing else was said.
 */
final class Expect {

  private final Compilation compilation;

  private Expect(Compilation compilation) {
    this.compilation = compilation;
  }

  static Expect that(Compilation compilation) {
    return new Expect(compilation);
  }

  /** The one error tagged {@code tag} whose message contains every key word. */
  Found error(Tag tag, String... keywords) {
    return find(compilation.errors(), "error", tag, keywords);
  }

  /** The one warning tagged {@code tag} whose message contains every key word. */
  Found warning(Tag tag, String... keywords) {
    return find(compilation.warnings(), "warning", tag, keywords);
  }

  /** Exactly these many errors and warnings in all, every one of them Kiln's. */
  Expect only(int errors, int warnings) {
    List<Diagnostic<? extends JavaFileObject>> all = compilation.diagnostics().stream()
        .filter(d -> d.getKind() == Diagnostic.Kind.ERROR || d.getKind() == Diagnostic.Kind.WARNING
            || d.getKind() == Diagnostic.Kind.MANDATORY_WARNING)
        .collect(Collectors.toList());
    for (Diagnostic<? extends JavaFileObject> diagnostic : all) {
      assertTrue(diagnostic.getMessage(null).startsWith("[Kiln/"),
          "not a Kiln diagnostic: " + diagnostic + "\nall:\n" + describe(all));
    }
    assertEquals(errors, compilation.errors().size(), "errors:\n" + describe(all));
    assertEquals(warnings, compilation.warnings().size(), "warnings:\n" + describe(all));
    assertEquals(errors > 0 ? Compilation.Status.FAILURE : Compilation.Status.SUCCESS,
        compilation.status());
    return this;
  }

  private static Found find(
      List<Diagnostic<? extends JavaFileObject>> diagnostics, String kind, Tag tag, String... keywords) {
    List<Diagnostic<? extends JavaFileObject>> matching = diagnostics.stream()
        .filter(d -> d.getMessage(null).startsWith(tag.toString()))
        .filter(d -> Arrays.stream(keywords).allMatch(d.getMessage(null)::contains))
        .collect(Collectors.toList());
    if (matching.size() != 1) {
      fail("expected one " + kind + " " + tag + " containing " + Arrays.toString(keywords)
          + ", found " + matching.size() + " among:\n" + describe(diagnostics));
    }
    return new Found(matching.get(0));
  }

  private static String describe(List<Diagnostic<? extends JavaFileObject>> diagnostics) {
    return diagnostics.stream()
        .map(d -> "  " + d.getKind() + " " + d.getLineNumber() + ":" + d.getColumnNumber() + " "
            + d.getMessage(null))
        .collect(Collectors.joining("\n"));
  }

  /** A diagnostic found; where javac puts it. */
  record Found(Diagnostic<? extends JavaFileObject> diagnostic) {

    String message() {
      return diagnostic.getMessage(null);
    }

    /** On the one line of {@code source} containing {@code line}, at its first column of text. */
    Found on(JavaFileObject source, String line) {
      return on(source, line, line.strip());
    }

    /**
     * On the one line of {@code source} containing {@code line}, at the column where {@code at}
     * first starts on that line: {@code on(source, "units = 0", "0")} for the value of {@code
     * units}.
     */
    Found on(JavaFileObject source, String line, String at) {
      String text;
      try {
        text = source.getCharContent(true).toString();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      List<String> lines = text.lines().toList();
      int number = -1;
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).contains(line)) {
          assertEquals(-1, number, "more than one line contains " + line);
          number = i + 1;
        }
      }
      assertTrue(number > 0, "no line contains " + line);
      int column = lines.get(number - 1).indexOf(at) + 1;
      assertTrue(column > 0, at + " is not on the line containing " + line);
      assertEquals(source.toUri(), diagnostic.getSource().toUri(), "file of " + message());
      assertEquals(number, diagnostic.getLineNumber(),
          "line of " + message() + "\n(expected the line of: " + lines.get(number - 1).strip() + ")");
      assertEquals(column, diagnostic.getColumnNumber(),
          "column of " + message() + " on: " + lines.get(number - 1));
      return this;
    }
  }
}
