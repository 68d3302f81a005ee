package dev.kiln.processor.emit;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.TypeSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * Straight-line code cut into consecutive parts small enough for the JVM. A method's bytecode
 * may not pass 64 KB (javac: "code too large"), a class may not hold more than 65,535 constants
 * (names and references: "too many constants"), and HotSpot compiles no method past 8,000 bytes;
 * the passes and constructors of a model of thousands of layers are far past all three. Code
 * that fits stays where it is, so a small model's class reads as written; larger code becomes
 * calls of parts in order, {@code new ForwardPart1().run(b, input, training)}, ... Each part is
 * a nested class holding whole layers, with its own constants: an inner class whose code reads
 * the enclosing object's fields as the method would, or a static one for static code.
 */
final class CodeParts {

  /**
   * Characters of generated source, types written in full, per part. The bytecode of this code
   * is smaller than its source (a field or method reference is 3 bytes, its name many
   * characters): the largest part of a 2,000-layer chain and of 1,000 parallel branches came to
   * 6.5 KB, under HotSpot's 8,000 bytes and far from 64 KB.
   */
  static final int BUDGET = 12_000;

  /** Code that stays in one method, such as one layer's calls, and the layer it is about. */
  record Piece(String layer, CodeBlock code) {
    int size() {
      return code.toString().length();
    }
  }

  /**
   * A method's body, and the nested classes it calls when the code did not fit (none when it did).
   */
  record Split(CodeBlock body, List<TypeSpec> parts) {
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
   * The body of a method with {@code signature}'s parameters: the pieces themselves if they fit,
   * otherwise one call per part, of nested classes named {@code Name + "Part" + n} whose method
   * {@code run} takes the same parameters (static if {@code signature} is), each documented as
   * "{@code purpose} first to last layer" ("The forward pass of dense1 to dense57").
   */
  static Split split(MethodSpec signature, String name, String purpose, List<Piece> pieces) {
    if (fits(pieces)) {
      return new Split(CodeBlock.join(pieces.stream().map(Piece::code).toList(), ""), List.of());
    }
    boolean isStatic = signature.modifiers().contains(Modifier.STATIC);
    String arguments = signature.parameters().stream()
        .map(parameter -> parameter.name())
        .collect(Collectors.joining(", "));
    CodeBlock.Builder body = CodeBlock.builder();
    List<TypeSpec> parts = new ArrayList<>();
    for (List<Piece> group : group(pieces)) {
      String part = Character.toUpperCase(name.charAt(0)) + name.substring(1) + "Part" + (parts.size() + 1);
      body.addStatement(isStatic ? "$N.run($L)" : "new $N().run($L)", part, arguments);
      MethodSpec.Builder run = MethodSpec.methodBuilder("run");
      TypeSpec.Builder type = TypeSpec.classBuilder(part)
          .addModifiers(Modifier.PRIVATE, Modifier.FINAL)
          .addJavadoc("$L $L.\n", purpose, span(group));
      if (isStatic) {
        type.addModifiers(Modifier.STATIC);
        run.addModifiers(Modifier.STATIC);
        type.addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build());
      }
      for (ParameterSpec parameter : signature.parameters()) {
        run.addParameter(parameter.type(), parameter.name());
      }
      group.forEach(piece -> run.addCode(piece.code()));
      parts.add(type.addMethod(run.build()).build());
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
