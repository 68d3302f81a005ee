package dev.kiln.processor.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Long string constants cut into literals that a class file can hold. */
class StringConstantTest {

  @Test
  void aShortStringIsOneLiteral() {
    assertEquals("\"a\\n\"", StringConstant.initializer("a\n").toString());
  }

  @Test
  void aLongTextIsCutAfterLinesIntoChunksThatFit() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 2_000; i++) {
      text.append("layer").append(i).append(" (Dense)   (None, 8)   72\n");
    }
    List<String> chunks = StringConstant.chunks(text.toString(), StringConstant.MAX_BYTES);
    assertTrue(chunks.size() > 1, "a text of " + text.length() + " bytes in one chunk");
    assertEquals(text.toString(), String.join("", chunks));
    for (String chunk : chunks) {
      assertTrue(chunk.length() <= StringConstant.MAX_BYTES);
      assertTrue(chunk.endsWith("\n"), "a chunk cut inside a line: ..." + chunk.substring(chunk.length() - 20));
    }
    String initializer = StringConstant.initializer(text.toString()).toString();
    assertTrue(initializer.startsWith("java.lang.String.join(\"\",\n"), initializer.substring(0, 40));
  }

  @Test
  void multiByteCharactersCountAsTheClassFileCountsThem() {
    // 'é' takes 2 bytes and '€' 3 in a class file, as in UTF-8; NUL takes 2 there.
    String line = "é€\u0000x\n";
    String text = line.repeat(100);
    for (String chunk : StringConstant.chunks(text, 64)) {
      int bytes = chunk.getBytes(StandardCharsets.UTF_8).length + count(chunk, '\u0000');
      assertTrue(bytes <= 64, chunk + " takes " + bytes + " bytes");
      assertTrue(chunk.endsWith("\n"));
    }
    assertEquals(text, String.join("", StringConstant.chunks(text, 64)));
  }

  @Test
  void aLineLongerThanAChunkIsCutWhereItMust() {
    String text = "short\n" + "x".repeat(150) + "\nend\n";
    List<String> chunks = StringConstant.chunks(text, 64);
    assertEquals(text, String.join("", chunks));
    chunks.forEach(chunk -> assertTrue(chunk.length() <= 64, chunk));
    assertEquals("short\n", chunks.get(0));
  }

  private static int count(String text, char c) {
    return (int) text.chars().filter(x -> x == c).count();
  }
}
