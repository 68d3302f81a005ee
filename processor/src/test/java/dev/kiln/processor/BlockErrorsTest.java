package dev.kiln.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import dev.kiln.processor.check.Tag;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Mistakes in blocks and their applications: reported at the application in the model, with
 * the layer's path inside the block and a note on the block's own line; mistakes of the block
 * itself, once, on the block.
 */
class BlockErrorsTest {

  private static final String[] CONV_BLOCK = {
    "@interface Stage { int filters(); int kernel() default 3; }",
    "@Block(parameters = Stage.class)",
    "interface ConvBlock {",
    "  @Input(shape = {-1, -1, -1}) Tensor x();",
    "  @Conv2D(filters = 1, kernelSize = 3, activation = RELU)",
    "  @Bind(filters = \"filters\", kernelSize = \"kernel\") Tensor conv(Tensor x);",
    "  @MaxPooling2D(poolSize = 2) Tensor pool(Tensor conv);",
    "}"
  };

  private static JavaFileObject withConvBlock(String name, String... model) {
    String[] lines = new String[CONV_BLOCK.length + model.length];
    System.arraycopy(CONV_BLOCK, 0, lines, 0, CONV_BLOCK.length);
    System.arraycopy(model, 0, lines, CONV_BLOCK.length, model.length);
    return Sources.model(name, lines);
  }

  @Test
  void aKernelThatFitsOneApplicationButNotAnotherIsReportedAtTheOneWithThePathAndANote() {
    JavaFileObject source = withConvBlock("Stages",
        "@Model interface Stages {",
        "  @Input(shape = {12, 12, 3}) Tensor image();",
        "  @Apply(ConvBlock.class) @Stage(filters = 8) Tensor stage1(Tensor image);",
        "  @Apply(ConvBlock.class) @Stage(filters = 8, kernel = 6) Tensor stage2(Tensor stage1);",
        "  @Flatten Tensor flat(Tensor stage2);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.SHAPE_MISMATCH, "stage2/conv's 6x6 window does not fit in its input (None, 5, 5, 8)")
        .on(source, "Tensor stage2(Tensor stage1)", "6) Tensor");
    assertThat(compilation).hadNoteContaining("stage2 -> conv is declared here")
        .inFile(source).onLineContaining("@Conv2D(filters = 1, kernelSize = 3");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void aTensorOfTheWrongRankForTheBlocksInputIsReportedOnTheParameter() {
    JavaFileObject source = withConvBlock("Flat",
        "@Model interface Flat {",
        "  @Input(shape = 5) Tensor vector();",
        "  @Apply(ConvBlock.class) @Stage(filters = 8) Tensor stage(Tensor vector);",
        "  @Flatten Tensor flat(Tensor stage);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.SHAPE_MISMATCH, "stage applies ConvBlock, whose input x takes (None, None, None, None),"
            + " but vector gives (None, 5); apply it to a tensor of rank 4 with the batch axis")
        .on(source, "Tensor stage(Tensor vector)", "vector);");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void aBlockThatAppliesItselfIsACycleWithThePath() {
    JavaFileObject source = Sources.model("Loops",
        "@Block interface Loop { @Input(shape = -1) Tensor x(); @Apply(Loop2.class) Tensor again(Tensor x); }",
        "@Block interface Loop2 { @Input(shape = -1) Tensor x(); @Apply(Loop.class) Tensor again(Tensor x); }",
        "@Model interface Loops {",
        "  @Input(shape = 4) Tensor input();",
        "  @Apply(Loop.class) Tensor looping(Tensor input);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor looping);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.CYCLE, "applies Loop, which contains itself: Loop -> Loop2 -> Loop")
        .on(source, "Tensor looping(Tensor input)", "@Apply");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void anApplicationGivenTooManyTensorsNamesTheBlocksInputs() {
    JavaFileObject source = withConvBlock("Two",
        "@Model interface Two {",
        "  @Input(shape = {8, 8, 3}) Tensor a();",
        "  @Input(shape = {8, 8, 3}) Tensor b();",
        "  @Apply(ConvBlock.class) @Stage(filters = 2) Tensor stage(Tensor a, Tensor b);",
        "  @Flatten Tensor flat(Tensor stage);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.ARITY, "stage applies ConvBlock, which takes 1 input (x), but it is given 2")
        .on(source, "Tensor stage(Tensor a, Tensor b)", "@Apply");
  }

  @Test
  void missingParametersAndBadBindings() {
    JavaFileObject source = Sources.model("Params",
        "@interface Width { int units(); double rate() default 0.5; }",
        "@Block(parameters = Width.class)",
        "interface Hidden {",
        "  @Input(shape = -1) Tensor x();",
        "  @Dense(units = 1) @Bind(units = \"units\") Tensor dense(Tensor x);",
        "}",
        "@Block(parameters = Width.class)",
        "interface Wrong {",
        "  @Input(shape = -1) Tensor x();",
        "  @Dense(units = 1) @Bind(units = \"rate\", filters = \"units\") Tensor dense(Tensor x);",
        "}",
        "@Model interface Params {",
        "  @Input(shape = 4) Tensor input();",
        "  @Apply(Hidden.class) Tensor hidden(Tensor input);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor hidden);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.MISSING_BLOCK_PARAMETERS, "hidden applies Hidden, whose parameters [units] have no"
            + " default values, but it gives no @Width; add @Width(units = ...) next to @Apply")
        .on(source, "Tensor hidden(Tensor input)", "@Apply");
    Expect.that(compilation)
        .error(Tag.BAD_BINDING, "dense binds units (int) to @Width.rate, which is double")
        .on(source, "@Bind(units = \"rate\"", "\"rate\"");
    Expect.that(compilation)
        .error(Tag.BAD_BINDING, "dense binds filters, but its layer annotation has no attribute of that name")
        .on(source, "@Bind(units = \"rate\"", "\"units\"");
    Expect.that(compilation).only(3, 0);
  }

  @Test
  void applyingAnInterfaceThatIsNoBlock() {
    JavaFileObject source = Sources.model("NotOne",
        "interface Plain { @Input(shape = -1) Tensor x(); @Dense(units = 2) Tensor d(Tensor x); }",
        "@Model interface NotOne {",
        "  @Input(shape = 4) Tensor input();",
        "  @Apply(Plain.class) Tensor stage(Tensor input);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor stage);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.NOT_A_BLOCK, "stage applies Plain, which is neither a @Block nor a @Model interface")
        .on(source, "Tensor stage(Tensor input)", "@Apply");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void aBlockWithAnErrorOfItsOwnIsReportedOnceOnItAndTheApplicationWaits() {
    JavaFileObject source = Sources.model("Broken",
        "@Block interface Hidden { @Input(shape = -1) Tensor x(); @Dense(units = 8) Tensor d(Tensor y); }",
        "@Model interface Broken {",
        "  @Input(shape = 4) Tensor input();",
        "  @Apply(Hidden.class) Tensor first(Tensor input);",
        "  @Apply(Hidden.class) Tensor second(Tensor first);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor second);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.UNKNOWN_LAYER, "d reads from y, but Hidden declares no layer of that name")
        .on(source, "Tensor d(Tensor y)", "y); }");
    Expect.that(compilation).only(3, 0);
  }

  @Test
  void sharingTheWeightsOfAnApplicationOfAnotherBlockIsRefused() {
    JavaFileObject source = Sources.model("Towers",
        "@Block interface A { @Input(shape = -1) Tensor x(); @Dense(units = 3) Tensor d(Tensor x); }",
        "@Block interface B { @Input(shape = -1) Tensor x(); @Dense(units = 3) Tensor d(Tensor x); }",
        "@Model interface Towers {",
        "  @Input(shape = 4) Tensor left();",
        "  @Input(shape = 4) Tensor right();",
        "  @Apply(A.class) Tensor towerA(Tensor left);",
        "  @Apply(B.class) @SameWeightsAs(\"towerA\") Tensor towerB(Tensor right);",
        "  @Add Tensor sum(Tensor towerA, Tensor towerB);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor sum);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.SHARED_WEIGHTS_MISMATCH, "towerB applies B with the weights of towerA, which is no"
            + " application of the same block")
        .on(source, "Tensor towerB(Tensor right)", "\"towerA\"");
  }

  @Test
  void soundBlocksCompileWithoutADiagnostic() {
    JavaFileObject source = withConvBlock("Sound",
        "@Model interface Sound {",
        "  @Input(shape = {16, 16, 3}) Tensor image();",
        "  @Input(shape = {16, 16, 3}) Tensor other();",
        "  @Apply(ConvBlock.class) @Stage(filters = 4) Tensor left(Tensor image);",
        "  @SameWeightsAs(\"left\") Tensor right(Tensor other);",
        "  @Flatten Tensor leftFlat(Tensor left);",
        "  @Flatten Tensor rightFlat(Tensor right);",
        "  @Dense(units = 3) Tensor dense(Tensor leftFlat);",
        "  @SameWeightsAs(\"dense\") Tensor dense2(Tensor rightFlat);",
        "  @Add Tensor sum(Tensor dense, Tensor dense2);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor sum);",
        "}");
    Compilation compilation = Sources.compile(source);
    assertThat(compilation).succeededWithoutWarnings();
  }

  @Test
  void aRepeatedAnnotationOnASharingLayerMustAgreeWithTheOriginal() {
    JavaFileObject source = Sources.model("Repeats",
        "@Model interface Repeats {",
        "  @Input(shape = 4) Tensor a();",
        "  @Input(shape = 4) Tensor b();",
        "  @Dense(units = 3, activation = RELU) Tensor encodeA(Tensor a);",
        "  @SameWeightsAs(\"encodeA\") @Dense(units = 3, activation = TANH) Tensor encodeB(Tensor b);",
        "  @Add Tensor sum(Tensor encodeA, Tensor encodeB);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor sum);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.SHARED_WEIGHTS_MISMATCH, "encodeB repeats the annotation of encodeA, whose weights it"
            + " uses, with other values (activation = TANH here, RELU on encodeA)")
        .on(source, "Tensor encodeB(Tensor b)", "\"encodeA\"");
    Expect.that(compilation).only(1, 0);
  }
}
