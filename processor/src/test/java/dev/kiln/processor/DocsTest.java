package dev.kiln.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import dev.kiln.processor.check.Tag;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/errors.md} explains every tag and quotes Kiln truly: each example compiles to
 * exactly the message the page shows.
 */
class DocsTest {

  private static final Path PAGE = Path.of("../docs/errors.md");
  private static final Pattern SECTION = Pattern.compile("^### \\[Kiln/(\\w+)\\]$", Pattern.MULTILINE);
  private static final Pattern JAVA = Pattern.compile("```java\n(.*?)\n```", Pattern.DOTALL);
  private static final Pattern TEXT = Pattern.compile("```text\n(error|warning): (.*?)\n```", Pattern.DOTALL);
  private static final Pattern MODEL = Pattern.compile("@Model(?:\\([^)]*\\))?\\s+(?:abstract\\s+)?\\w+\\s+(\\w+)");
  /** Tags no source can cause by itself. */
  private static final Set<Tag> WITHOUT_EXAMPLE = Set.of(Tag.WRITE_FAILED, Tag.INTERNAL_ERROR);

  @Test
  void everyTagHasASectionAndEverySectionATag() throws IOException {
    List<String> documented = sections().keySet().stream().toList();
    List<String> tags = Arrays.stream(Tag.values()).map(Tag::label).toList();
    assertEquals(tags.stream().sorted().toList(), documented.stream().sorted().toList());
    for (Map.Entry<String, String> section : sections().entrySet()) {
      assertTrue(section.getValue().contains("**Fix:**"), section.getKey() + " has no fix");
    }
  }

  @Test
  void everyExampleCompilesToTheMessageShown() throws IOException {
    for (Map.Entry<String, String> section : sections().entrySet()) {
      Tag tag = Arrays.stream(Tag.values())
          .filter(t -> t.label().equals(section.getKey())).findFirst().orElseThrow();
      Matcher java = JAVA.matcher(section.getValue());
      Matcher text = TEXT.matcher(section.getValue());
      if (WITHOUT_EXAMPLE.contains(tag)) {
        assertTrue(!java.find(), tag + " shows an example no source causes");
        continue;
      }
      assertTrue(java.find() && text.find(), tag + " needs an example and its message");
      do {
        checkExample(tag, java.group(1), text.group(1), text.group(2));
      } while (java.find() && text.find());
    }
  }

  /** Compiles one example of {@code tag}'s section and finds the message the page shows. */
  private static void checkExample(Tag tag, String example, String kindShown, String message) {
    Matcher model = MODEL.matcher(example);
    assertTrue(model.find(), "no @Model in the example of " + tag);
    JavaFileObject source = JavaFileObjects.forSourceString("docs." + model.group(1),
        "package docs;\n\nimport dev.kiln.*;\nimport static dev.kiln.Activation.*;\n"
            + "import static dev.kiln.Loss.*;\nimport static dev.kiln.Metric.*;\n\n"
            + example + "\n");
    Compilation compilation = Sources.compile(source);
    Diagnostic.Kind kind = kindShown.equals("error")
        ? Diagnostic.Kind.ERROR : Diagnostic.Kind.WARNING;
    List<String> said = compilation.diagnostics().stream()
        .filter(d -> d.getKind() != Diagnostic.Kind.NOTE)
        .map(d -> d.getKind() + " " + d.getMessage(null))
        .collect(Collectors.toList());
    assertTrue(said.contains(kind + " " + message),
        tag + ": the page shows\n  " + kind + " " + message + "\nbut Kiln said\n  "
            + String.join("\n  ", said));
    assertTrue(said.stream().allMatch(d -> d.contains(" [Kiln/")), tag + ": " + said);
  }

  /** The text of each tag's section, by tag, in page order. */
  private static Map<String, String> sections() throws IOException {
    String page = Files.readString(PAGE);
    Map<String, String> sections = new LinkedHashMap<>();
    Matcher heading = SECTION.matcher(page);
    String tag = null;
    int start = 0;
    while (heading.find()) {
      if (tag != null) {
        sections.put(tag, page.substring(start, heading.start()));
      }
      tag = heading.group(1);
      start = heading.end();
    }
    if (tag != null) {
      sections.put(tag, page.substring(start));
    }
    return sections;
  }
}
