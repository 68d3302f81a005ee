package dev.kiln.processor.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;
import org.junit.jupiter.api.Test;

/** Straight-line code in parts (nested classes) under the budget, whole layers each, in order. */
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
    List<TypeSpec> parts = split.parts();
    StringBuilder calls = new StringBuilder();
    StringBuilder code = new StringBuilder();
    for (int i = 0; i < parts.size(); i++) {
      TypeSpec part = parts.get(i);
      assertEquals("ForwardPart" + (i + 1), part.name());
      assertTrue(part.modifiers().contains(Modifier.PRIVATE));
      assertFalse(part.modifiers().contains(Modifier.STATIC), "an inner class reads the model's fields");
      MethodSpec run = part.methodSpecs().get(0);
      assertEquals("run", run.name());
      assertEquals(SIGNATURE.parameters(), run.parameters());
      assertTrue(run.code().toString().length() <= CodeParts.BUDGET, part.name() + " over budget");
      assertTrue(part.javadoc().toString().startsWith("The forward pass of layer"), part.javadoc().toString());
      calls.append("new ForwardPart").append(i + 1).append("().run(b, training);\n");
      code.append(run.code());
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
  void staticCodeGoesToStaticClasses() {
    MethodSpec signature = SIGNATURE.toBuilder().addModifiers(Modifier.STATIC).build();
    CodeParts.Split split = CodeParts.split(signature, "layerSpecs", "The layer specs of", layers(500, 100));
    assertTrue(split.body().toString().startsWith("LayerSpecsPart1.run(b, training);\n"));
    TypeSpec part = split.parts().get(0);
    assertTrue(part.modifiers().contains(Modifier.STATIC));
    assertTrue(part.methodSpecs().stream().anyMatch(method -> method.name().equals("run")
        && method.modifiers().contains(Modifier.STATIC)));
  }

  @Test
  void aPieceLargerThanTheBudgetIsAPartAlone() {
    List<CodeParts.Piece> pieces = new ArrayList<>(layers(2, 10));
    pieces.add(1, new CodeParts.Piece("huge", CodeBlock.of("$L", "y".repeat(CodeParts.BUDGET + 1))));
    List<List<CodeParts.Piece>> groups = CodeParts.group(pieces);
    assertEquals(3, groups.size());
    assertEquals("huge", groups.get(1).get(0).layer());
  }

  private static int countIn(TypeSpec part) {
    return part.methodSpecs().get(0).code().toString().split("\n").length;
  }
}
