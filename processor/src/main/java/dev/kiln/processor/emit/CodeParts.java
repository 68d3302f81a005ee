package dev.kiln.processor.emit;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * Straight-line code cut into consecutive methods small enough for the JVM. A method's bytecode
 * may not pass 64 KB (javac: "code too large"), and HotSpot compiles none past 8,000 bytes; the
 * passes and constructors of a model of thousands of layers are far past both. Code that fits
 * stays where it is, so a small model's class reads as written; larger code becomes calls of
 * {@code forwardPart1}, {@code forwardPart2}, ... in order, each part a private method taking
 * the same parameters and holding whole layers.
 */
final class CodeParts {

  /**
   * Characters of generated source, types written in full, per method. The bytecode of this
   * code is smaller than its source (a field or method reference is 3 bytes, its name many
   * characters; a shape's numbers are the densest, about 2.5 bytes per character), so a part
   * is under 8,000 bytes for the usual layers and far from 64 KB for any.
   */
  static final int BUDGET = 12_000;

  /** Code that stays in one method, such as one layer's calls, and the layer it is about. */
  record Piece(String layer, CodeBlock code) {
    int size() {
      return code.toString().length();
    }
  }

  /**
   * A method's body, and the parts it calls when the code did not fit (none when it did).
   */
  record Split(CodeBlock body, List<MethodSpec> parts) {
    boolean isSplit() {
      return !parts.isEmpty();
    }
  }

  private CodeParts() {}

  /** Whether the pieces fit in one method. */
  static boolean fits(List<Piece> pieces) {
    return size(pieces) <= BUDGET;
  }

  static long size(List<Piece> pieces) {
    long size = 0;
    for (Piece piece : pieces) {
      size += piece.size();
    }
    return size;
  }

  /**
   * The body of {@code method}: the pieces themselves if they fit, otherwise one call per part,
   * of methods named {@code name + "Part" + n} with {@code method}'s parameters and modifiers
   * ({@code static} or not), documented as "{@code purpose} first to last layer" ("The forward pass of dense1 to dense57").
   */
  static Split split(MethodSpec method, String name, String purpose, List<Piece> pieces) {
    if (fits(pieces)) {
      return new Split(CodeBlock.join(pieces.stream().map(Piece::code).toList(), ""), List.of());
    }
    String arguments = method.parameters().stream()
        .map(parameter -> parameter.name())
        .collect(Collectors.joining(", "));
    CodeBlock.Builder body = CodeBlock.builder();
    List<MethodSpec> parts = new ArrayList<>();
    for (List<Piece> group : group(pieces)) {
      String part = name + "Part" + (parts.size() + 1);
      body.addStatement("$N($L)", part, arguments);
      MethodSpec.Builder builder = MethodSpec.methodBuilder(part)
          .addModifiers(Modifier.PRIVATE)
          .addJavadoc("$L $L.\n", purpose, span(group));
      if (method.modifiers().contains(Modifier.STATIC)) {
        builder.addModifiers(Modifier.STATIC);
      }
      for (ParameterSpec parameter : method.parameters()) {
        builder.addParameter(parameter.type(), parameter.name());
      }
      group.forEach(piece -> builder.addCode(piece.code()));
      parts.add(builder.build());
    }
    return new Split(body.build(), parts);
  }

  /** The pieces in order, in groups under the budget; a piece larger than it is a group alone. */
  static List<List<Piece>> group(List<Piece> pieces) {
    List<List<Piece>> groups = new ArrayList<>();
    List<Piece> group = new ArrayList<>();
    long size = 0;
    for (Piece piece : pieces) {
      int pieceSize = piece.size();
      if (!group.isEmpty() && size + pieceSize > BUDGET) {
        groups.add(group);
        group = new ArrayList<>();
        size = 0;
      }
      group.add(piece);
      size += pieceSize;
    }
    if (!group.isEmpty()) {
      groups.add(group);
    }
    return groups;
  }

  /** {@code dense1 to dense57}, or the one layer of a group; a layer with several pieces once. */
  private static String span(List<Piece> group) {
    String first = group.get(0).layer();
    String last = group.get(group.size() - 1).layer();
    return first.equals(last) ? first : first + " to " + last;
  }
}
