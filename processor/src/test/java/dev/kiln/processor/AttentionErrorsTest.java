package dev.kiln.processor;

import com.google.testing.compile.Compilation;
import dev.kiln.processor.check.Tag;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** MultiHeadAttention's mistakes, each where javac puts it. */
class AttentionErrorsTest {

  /** A model whose {@code layer} attends over the inputs {@code x} and, if given, {@code y}. */
  private static JavaFileObject attending(String name, String xShape, String yShape,
      String layer) {
    return Sources.model(name,
        "@Model interface " + name + " {",
        "  @Input(shape = " + xShape + ") Tensor x();",
        yShape == null ? "" : "  @Input(shape = " + yShape + ") Tensor y();",
        "  " + layer,
        "  @Flatten Tensor flat(Tensor attention);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}");
  }

  private static void expectOne(JavaFileObject source, Tag tag, String line, String at,
      String... keywords) {
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation).error(tag, keywords).on(source, line, at);
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void noHeads() {
    expectOne(attending("NoHeads", "{4, 8}", null,
            "@MultiHeadAttention(numHeads = 0, keyDim = 4) Tensor attention(Tensor x);"),
        Tag.BAD_ATTRIBUTE, "numHeads = 0", "0",
        "numHeads = 0 on attention", "a MultiHeadAttention layer needs at least one head",
        "numHeads = 1 or more");
  }

  @Test
  void negativeKeyDim() {
    expectOne(attending("NegativeKeys", "{4, 8}", null,
            "@MultiHeadAttention(numHeads = 2, keyDim = -4) Tensor attention(Tensor x);"),
        Tag.BAD_ATTRIBUTE, "keyDim = -4", "-4", "keyDim = -4 on attention", "keyDim = 1 or more");
  }

  @Test
  void negativeValueDim() {
    expectOne(attending("NegativeValues", "{4, 8}", null,
            "@MultiHeadAttention(numHeads = 2, keyDim = 4, valueDim = -1) Tensor attention(Tensor x);"),
        Tag.BAD_ATTRIBUTE, "valueDim = -1", "-1", "valueDim = -1 on attention",
        "or 0 for Keras' default (keyDim)");
  }

  @Test
  void dropoutOfOne() {
    expectOne(attending("AllDropped", "{4, 8}", null,
            "@MultiHeadAttention(numHeads = 2, keyDim = 4, dropout = 1) Tensor attention(Tensor x);"),
        Tag.BAD_ATTRIBUTE, "dropout = 1", "1", "dropout = 1.0 on attention", "in [0, 1)");
  }

  @Test
  void queryAndValueOfDifferentDepths() {
    expectOne(attending("Depths", "{4, 8}", "{6, 5}",
            "@MultiHeadAttention(numHeads = 2, keyDim = 4) Tensor attention(Tensor x, Tensor y);"),
        Tag.SHAPE_MISMATCH, "Tensor attention(Tensor x, Tensor y)", "y)",
        "attention reads a query of 8 features and a value of 5 ((None, 6, 5) from y)",
        "Keras 3 refuses", "@Dense(units = 8)");
  }

  @Test
  void keyAndValueOfDifferentLengths() {
    JavaFileObject source = Sources.model("Lengths",
        "@Model interface Lengths {",
        "  @Input(shape = {4, 8}) Tensor x();",
        "  @Input(shape = {6, 8}) Tensor y();",
        "  @Input(shape = {5, 3}) Tensor keys();",
        "  @MultiHeadAttention(numHeads = 2, keyDim = 4)",
        "  Tensor attention(Tensor x, Tensor y, Tensor keys);",
        "  @Flatten Tensor flat(Tensor attention);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}");
    expectOne(source, Tag.SHAPE_MISMATCH, "Tensor attention(Tensor x, Tensor y, Tensor keys)",
        "keys)", "value is (None, 6, 8) from y and its key (None, 5, 3) from keys",
        "the same steps");
  }

  @Test
  void causalMaskOnAVector() {
    expectOne(attending("Vector", "16", null,
            "@MultiHeadAttention(numHeads = 2, keyDim = 4, useCausalMask = true) Tensor attention(Tensor x);"),
        Tag.SHAPE_MISMATCH, "Tensor attention(Tensor x)", "x)",
        "its query is (None, 16) from x, which has no steps for useCausalMask to order",
        "shape = {16, 1}");
  }

  @Test
  void attentionOverImages() {
    expectOne(attending("Images", "{4, 4, 3}", null,
            "@MultiHeadAttention(numHeads = 2, keyDim = 4) Tensor attention(Tensor x);"),
        Tag.SHAPE_MISMATCH, "Tensor attention(Tensor x)", "x)",
        "attends over the steps of sequences (steps, features), but its query is (None, 4, 4, 3)",
        "@Reshape it to (steps, features)");
  }

  @Test
  void fourInputs() {
    JavaFileObject source = Sources.model("Four",
        "@Model interface Four {",
        "  @Input(shape = {4, 8}) Tensor x();",
        "  @MultiHeadAttention(numHeads = 2, keyDim = 4)",
        "  Tensor attention(Tensor x, @From(\"x\") Tensor a, @From(\"x\") Tensor b, @From(\"x\") Tensor c);",
        "  @Flatten Tensor flat(Tensor attention);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation).error(Tag.ARITY, "attention");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void positionTableShorterThanTheSequence() {
    JavaFileObject source = Sources.model("Short",
        "@Model interface Short {",
        "  @Input(shape = {12, 8}) Tensor x();",
        "  @PositionEmbedding(sequenceLength = 10) Tensor positions(Tensor x);",
        "  @Flatten Tensor flat(Tensor positions);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}");
    expectOne(source, Tag.SHAPE_MISMATCH, "sequenceLength = 10", "10",
        "positions has a table of sequenceLength = 10 positions, but its input (None, 12, 8) from"
            + " x has 12 steps; use sequenceLength = 12 or more");
  }

  @Test
  void positionTableWithoutPositions() {
    JavaFileObject source = Sources.model("Empty",
        "@Model interface Empty {",
        "  @Input(shape = {12, 8}) Tensor x();",
        "  @PositionEmbedding(sequenceLength = 0) Tensor positions(Tensor x);",
        "  @Flatten Tensor flat(Tensor positions);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}");
    expectOne(source, Tag.BAD_ATTRIBUTE, "sequenceLength = 0", "0",
        "a PositionEmbedding layer needs at least one position");
  }

  @Test
  void positionsOfAVector() {
    JavaFileObject source = Sources.model("Flat",
        "@Model interface Flat {",
        "  @Input(shape = 8) Tensor x();",
        "  @PositionEmbedding(sequenceLength = 10) Tensor positions(Tensor x);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor positions);",
        "}");
    expectOne(source, Tag.SHAPE_MISMATCH, "Tensor positions(Tensor x)", "x)",
        "positions embeds the positions of sequences (steps, features), but its input is"
            + " (None, 8) from x");
  }
}
