package dev.kiln.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import dev.kiln.processor.check.Tag;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** Mistakes in how layers connect, reported on the method, parameter or value at fault. */
class GraphErrorsTest {

  @Test
  void referenceToAMissingLayerNamesItAndSuggestsTheNearestName() {
    JavaFileObject source =
        Sources.model(
            "Typo",
            "@Model interface Typo {",
            "  @Input(shape = 4) Tensor input();",
            "  @Dense(units = 8) Tensor hidden1(Tensor input);",
            "  @Output(loss = MSE)",
            "  @Dense(units = 2) Tensor output(Tensor hiden1);",
            "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.UNKNOWN_LAYER, "output reads from hiden1, but there is no layer named hiden1;"
            + " did you mean hidden1?")
        .on(source, "Tensor output(Tensor hiden1)", "hiden1");
    // No warning that hidden1 is unused: it is what the typo meant.
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void fromNamingAMissingLayerPointsAtItsValue() {
    JavaFileObject source = Sources.model("Named",
        "@Model interface Named {",
        "  @Input(shape = 4) Tensor pixels();",
        "  @Output(loss = MSE)",
        "  @Dense(units = 2) Tensor output(@From(\"pixles\") Tensor x);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.UNKNOWN_LAYER, "output reads from pixles", "did you mean pixels?")
        .on(source, "@From(\"pixles\")", "\"pixles\"");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void referenceFarFromEveryNameAsksForAnExistingOne() {
    JavaFileObject source = Sources.model("Far",
        "@Model interface Far {",
        "  @Input(shape = 4) Tensor input();",
        "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor features);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.UNKNOWN_LAYER, "no layer named features",
            "name the parameter after a layer method, or use @From(\"layer\")")
        .on(source, "Tensor output(Tensor features)", "features");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void sameWeightsAsAMissingLayer() {
    JavaFileObject source = Sources.model("Shares",
        "@Model interface Shares {",
        "  @Input(shape = 4) Tensor a();",
        "  @Input(shape = 4) Tensor b();",
        "  @Dense(units = 4) Tensor encodeA(Tensor a);",
        "  @SameWeightsAs(\"encodA\") @Dense(units = 4) Tensor encodeB(Tensor b);",
        "  @Add Tensor sum(Tensor encodeA, Tensor encodeB);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor sum);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.UNKNOWN_LAYER, "encodeB uses the weights of encodA", "did you mean encodeA?")
        .on(source, "@SameWeightsAs(\"encodA\")", "\"encodA\"");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void twoLayerCycleIsReportedOnceWithItsPath() {
    JavaFileObject source =
        Sources.model(
            "Loop",
            "@Model interface Loop {",
            "  @Input(shape = 4) Tensor input();",
            "  @Dense(units = 8) Tensor a(Tensor b);",
            "  @Dense(units = 8) Tensor b(Tensor a);",
            "  @Output(loss = MSE)",
            "  @Dense(units = 2) Tensor output(Tensor a);",
            "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.CYCLE, "layers form a cycle: a -> b -> a;", "read from an earlier layer")
        .on(source, "Tensor a(Tensor b)", "b)");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void longerCyclePrintsTheWholePathFromWhereItIsEntered() {
    JavaFileObject source =
        Sources.model(
            "Ring",
            "@Model interface Ring {",
            "  @Input(shape = 4) Tensor input();",
            "  @Dense(units = 8) Tensor first(Tensor input);",
            "  @Dense(units = 8) Tensor second(Tensor fourth);",
            "  @Dense(units = 8) Tensor third(Tensor second);",
            "  @Dense(units = 8) Tensor fourth(Tensor third);",
            "  @Output(loss = MSE)",
            "  @Dense(units = 2) Tensor output(Tensor fourth);",
            "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.CYCLE, "layers form a cycle: second -> third -> fourth -> second;")
        .on(source, "Tensor second(Tensor fourth)", "fourth)");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void twoSeparateCyclesAreEachReportedOnce() {
    JavaFileObject source = Sources.model("Rings",
        "@Model interface Rings {",
        "  @Input(shape = 4) Tensor input();",
        "  @Dense(units = 8) Tensor a(Tensor b);",
        "  @Dense(units = 8) Tensor b(Tensor a);",
        "  @Dense(units = 8) Tensor c(Tensor d);",
        "  @Dense(units = 8) Tensor d(Tensor c);",
        "  @Concatenate Tensor both(Tensor a, Tensor c);",
        "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor both);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation).error(Tag.CYCLE, "a -> b -> a").on(source, "Tensor a(Tensor b)", "b)");
    Expect.that(compilation).error(Tag.CYCLE, "c -> d -> c").on(source, "Tensor c(Tensor d)", "d)");
    Expect.that(compilation).only(2, 0);
  }

  @Test
  void layerReadingItself() {
    JavaFileObject source = Sources.model("Self",
        "@Model interface Self {",
        "  @Input(shape = 4) Tensor input();",
        "  @Dense(units = 4) Tensor loop(Tensor loop);",
        "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor loop);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.CYCLE, "loop reads from itself", "read from an earlier layer instead")
        .on(source, "Tensor loop(Tensor loop)", "loop)");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void twoMethodsWithOneName() {
    JavaFileObject source = Sources.model("Overload",
        "@Model interface Overload {",
        "  @Input(shape = 4) Tensor a();",
        "  @Input(shape = 4) Tensor b();",
        "  @Dense(units = 4) Tensor hidden(Tensor a);",
        "  @Concatenate Tensor hidden(Tensor a, Tensor b);",
        "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor hidden);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.DUPLICATE_LAYER, "two methods are named hidden", "rename one")
        .on(source, "Tensor hidden(Tensor a, Tensor b)", "hidden");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void denseWithTwoInputs() {
    JavaFileObject source = Sources.model("TwoIn",
        "@Model interface TwoIn {",
        "  @Input(shape = 4) Tensor a();",
        "  @Input(shape = 4) Tensor b();",
        "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor a, Tensor b);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.ARITY, "output is a Dense layer, which takes one input, but its method has 2"
            + " parameters", "join several first with @Concatenate or @Add")
        .on(source, "Tensor output(Tensor a, Tensor b)", "@Dense");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void concatenateWithOneInput() {
    JavaFileObject source = Sources.model("OneIn",
        "@Model interface OneIn {",
        "  @Input(shape = 4) Tensor a();",
        "  @Concatenate Tensor joined(Tensor a);",
        "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor joined);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.ARITY, "joined is a Concatenate layer, which takes two or more inputs, but its"
            + " method has 1 parameter", "add parameters")
        .on(source, "Tensor joined(Tensor a)", "@Concatenate");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void inputWithAParameter() {
    JavaFileObject source = Sources.model("InputIn",
        "@Model interface InputIn {",
        "  @Input(shape = 4) Tensor a();",
        "  @Input(shape = 4) Tensor b(Tensor a);",
        "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor b);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.ARITY, "b is an InputLayer layer, which takes no inputs", "remove the parameters")
        .on(source, "Tensor b(Tensor a)", "@Input");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void modelWithoutAnOutput() {
    JavaFileObject source = Sources.model("NoOut",
        "@Model interface NoOut {",
        "  @Input(shape = 4) Tensor input();",
        "  @Dense(units = 2) Tensor output(Tensor input);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.NO_OUTPUT, "NoOut has no @Output", "@Output(loss = ...)")
        .on(source, "@Model interface NoOut", "@Model");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void inputMarkedAsOutput() {
    JavaFileObject source = Sources.model("InOut",
        "@Model interface InOut {",
        "  @Output(loss = MSE) @Input(shape = 4) Tensor input();",
        "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor input);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.INPUT_AS_OUTPUT, "input input is marked @Output", "move @Output")
        .on(source, "Tensor input();", "@Output");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void inputThatReachesNoOutput() {
    JavaFileObject source = Sources.model("Spare",
        "@Model interface Spare {",
        "  @Input(shape = 4) Tensor input();",
        "  @Input(shape = 3) Tensor spare();",
        "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor input);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.DISCONNECTED, "input spare reaches no @Output", "connect it to a layer, or"
            + " remove it")
        .on(source, "Tensor spare()", "@Input");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void layerThatReachesNoOutputIsAWarningAndLeftOut() {
    JavaFileObject source = Sources.model("Dangling",
        "@Model interface Dangling {",
        "  @Input(shape = 4) Tensor input();",
        "  @Dense(units = 3) Tensor probe(Tensor input);",
        "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor input);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .warning(Tag.UNUSED, "layer probe reaches no @Output and is left out of the model")
        .on(source, "Tensor probe(Tensor input)", "@Dense");
    Expect.that(compilation).only(0, 1);
    assertThat(compilation).generatedSourceFile("test.DanglingModel");
  }

  @Test
  void sharedWeightsWithItself() {
    JavaFileObject source = Sources.model("Itself",
        "@Model interface Itself {",
        "  @Input(shape = 4) Tensor input();",
        "  @SameWeightsAs(\"hidden\") @Dense(units = 4) Tensor hidden(Tensor input);",
        "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor hidden);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.SHARED_WEIGHTS_MISMATCH, "hidden names itself in @SameWeightsAs")
        .on(source, "@SameWeightsAs(\"hidden\")", "\"hidden\"");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void sharedWeightsThroughAnotherSharingLayer() {
    JavaFileObject source = Sources.model("Chain",
        "@Model interface Chain {",
        "  @Input(shape = 4) Tensor input();",
        "  @Dense(units = 4) Tensor a(Tensor input);",
        "  @SameWeightsAs(\"a\") @Dense(units = 4) Tensor b(Tensor a);",
        "  @SameWeightsAs(\"b\") @Dense(units = 4) Tensor c(Tensor b);",
        "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor c);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.SHARED_WEIGHTS_MISMATCH, "c uses the weights of b, which uses those of a",
            "name a directly")
        .on(source, "@SameWeightsAs(\"b\")", "\"b\"");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void sharedWeightsOfALayerOutsideTheModel() {
    JavaFileObject source = Sources.model("Outside",
        "@Model interface Outside {",
        "  @Input(shape = 4) Tensor input();",
        "  @Dense(units = 4) Tensor unused(Tensor input);",
        "  @SameWeightsAs(\"unused\") @Dense(units = 4) Tensor used(Tensor input);",
        "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor used);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.SHARED_WEIGHTS_MISMATCH, "used uses the weights of unused, which reaches no"
            + " @Output")
        .on(source, "@SameWeightsAs(\"unused\")", "\"unused\"");
    Expect.that(compilation)
        .warning(Tag.UNUSED, "layer unused")
        .on(source, "Tensor unused(Tensor input)", "@Dense");
    Expect.that(compilation).only(1, 1);
  }

  @Test
  void sharedWeightsOfALayerWithoutWeights() {
    JavaFileObject source = Sources.model("NoWeights",
        "@Model interface NoWeights {",
        "  @Input(shape = 4) Tensor input();",
        "  @Dropout(rate = 0.5) Tensor first(Tensor input);",
        "  @SameWeightsAs(\"first\") @Dropout(rate = 0.5) Tensor second(Tensor first);",
        "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor second);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.SHARED_WEIGHTS_MISMATCH, "second uses the weights of first",
            "a Dropout layer has no weights to share")
        .on(source, "@SameWeightsAs(\"first\")", "\"first\"");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void soundModelCompilesWithoutDiagnostics() {
    Compilation compilation =
        Sources.compile(
            Sources.model(
                "Small",
                "@Model interface Small {",
                "  @Input(shape = 4) Tensor input();",
                "  @Dense(units = 8, activation = RELU) Tensor hidden(Tensor input);",
                "  @Output(loss = CATEGORICAL_CROSSENTROPY, metrics = ACCURACY)",
                "  @Dense(units = 3, activation = SOFTMAX) Tensor output(Tensor hidden);",
                "}"));
    assertThat(compilation).succeededWithoutWarnings();
    assertThat(compilation).generatedSourceFile("test.SmallModel");
  }
}
