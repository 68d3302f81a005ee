package dev.kiln.processor.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;
import org.junit.jupiter.api.Test;

/** Straight-line code in parts under the budget, whole layers each, in order. */
class CodePartsTest {

  private static final MethodSpec SIGNATURE = MethodSpec.methodBuilder("forward")
      .addModifiers(Modifier.PRIVATE)
      .addParameter(TypeName.INT, "b")
      .addParameter(TypeName.BOOLEAN, "training")
      .build();

  private static List<CodeParts.Piece> layers(int count, int statementLength) {
    List<CodeParts.Piece> pieces = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      String call = "call" + i + "(" + "x".repeat(statementLength) + ");\n";
      pieces.add(new CodeParts.Piece("layer" + i, CodeBlock.of("$L", call)));
    }
    return pieces;
  }

  @Test
  void codeThatFitsStaysInItsMethod() {
    CodeParts.Split split = CodeParts.split(SIGNATURE, "forward", "The forward pass of", layers(3, 10));
    assertFalse(split.isSplit());
    assertEquals("call1(xxxxxxxxxx);\ncall2(xxxxxxxxxx);\ncall3(xxxxxxxxxx);\n", split.body().toString());
  }

  @Test
  void largerCodeIsCalledInPartsUnderTheBudgetInOrder() {
    List<CodeParts.Piece> pieces = layers(500, 100);
    CodeParts.Split split = CodeParts.split(SIGNATURE, "forward", "The forward pass of", pieces);
    assertTrue(split.isSplit());
    List<MethodSpec> parts = split.parts();
    StringBuilder calls = new StringBuilder();
    StringBuilder code = new StringBuilder();
    for (int i = 0; i < parts.size(); i++) {
      MethodSpec part = parts.get(i);
      assertEquals("forwardPart" + (i + 1), part.name());
      assertEquals(SIGNATURE.parameters(), part.parameters());
      assertTrue(part.modifiers().contains(Modifier.PRIVATE));
      assertTrue(part.code().toString().length() <= CodeParts.BUDGET, part.name() + " over budget");
      assertTrue(part.javadoc().toString().startsWith("The forward pass of layer"), part.javadoc().toString());
      calls.append("forwardPart").append(i + 1).append("(b, training);\n");
      code.append(part.code());
    }
    assertEquals(calls.toString(), split.body().toString());
    // Every layer once, in order, none cut in two.
    StringBuilder expected = new StringBuilder();
    pieces.forEach(piece -> expected.append(piece.code()));
    assertEquals(expected.toString(), code.toString());
    assertEquals("The forward pass of layer1 to layer" + countIn(parts.get(0)) + ".\n",
        parts.get(0).javadoc().toString());
  }

  @Test
  void aPieceLargerThanTheBudgetIsAPartAlone() {
    List<CodeParts.Piece> pieces = new ArrayList<>(layers(2, 10));
    pieces.add(1, new CodeParts.Piece("huge", CodeBlock.of("$L", "y".repeat(CodeParts.BUDGET + 1))));
    List<List<CodeParts.Piece>> groups = CodeParts.group(pieces);
    assertEquals(3, groups.size());
    assertEquals("huge", groups.get(1).get(0).layer());
  }

  private static int countIn(MethodSpec part) {
    return part.code().toString().split("\n").length;
  }
}
