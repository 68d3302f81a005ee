package dev.kiln.processor.emit;

import com.palantir.javapoet.CodeBlock;
import java.util.ArrayList;
import java.util.List;

/**
 * The initializer of a string constant of any length. A class file holds one constant string in
 * at most 65,535 bytes (javac: "constant string too long"), and the summary or picture of a
 * model of a few hundred layers is longer. A string that fits is one literal, as before; a
 * longer one is cut at line ends into literals that fit, joined when the class is initialized.
 */
final class StringConstant {

  /** The most bytes of one constant string in a class file (modified UTF-8). */
  static final int MAX_BYTES = 65_535;

  private StringConstant() {}

  static CodeBlock initializer(String text) {
    List<String> chunks = chunks(text, MAX_BYTES);
    if (chunks.size() == 1) {
      return CodeBlock.of("$S", text);
    }
    List<CodeBlock> literals = chunks.stream().map(chunk -> CodeBlock.of("$S", chunk)).toList();
    return CodeBlock.of("$T.join(\"\",\n$>$>$L)$<$<", String.class, CodeBlock.join(literals, ",\n"));
  }

  /** {@code text} in consecutive pieces of at most {@code maxBytes} each, cut after a line if possible. */
  static List<String> chunks(String text, int maxBytes) {
    List<String> chunks = new ArrayList<>();
    int start = 0;
    int bytes = 0;
    int lastLineEnd = -1;
    for (int i = 0; i < text.length(); i++) {
      int size = bytes(text.charAt(i));
      if (bytes + size > maxBytes) {
        int end = lastLineEnd > start ? lastLineEnd : i;
        chunks.add(text.substring(start, end));
        start = end;
        lastLineEnd = -1;
        bytes = 0;
        for (int j = start; j < i; j++) {
          bytes += bytes(text.charAt(j));
        }
        if (bytes + size > maxBytes) {
          // The line goes on past a whole chunk: cut it here.
          chunks.add(text.substring(start, i));
          start = i;
          bytes = 0;
        }
      }
      bytes += size;
      if (text.charAt(i) == '\n') {
        lastLineEnd = i + 1;
      }
    }
    chunks.add(text.substring(start));
    return chunks;
  }

  /** The bytes of one char in a class file's modified UTF-8. */
  private static int bytes(char c) {
    return c >= 0x01 && c <= 0x7F ? 1 : c <= 0x7FF ? 2 : 3;
  }
}
