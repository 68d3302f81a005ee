package dev.kiln.processor;

import com.google.testing.compile.Compilation;
import dev.kiln.processor.check.Tag;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** Mistakes in the interface and its methods as Java, reported on the element at fault. */
class JavaFormErrorsTest {

  @Test
  void classInsteadOfInterface() {
    JavaFileObject source = Sources.model("Mlp",
        "@Model abstract class Mlp {",
        "  @Input(shape = 4) abstract Tensor input();",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.NOT_AN_INTERFACE, "Mlp is a class", "declare it as an interface")
        .on(source, "@Model abstract class Mlp");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void enumInsteadOfInterface() {
    JavaFileObject source = Sources.model("Layers",
        "@Model enum Layers { DENSE }");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.NOT_AN_INTERFACE, "Layers is an enum")
        .on(source, "@Model enum Layers");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void genericInterface() {
    JavaFileObject source = Sources.model("Generic",
        "@Model interface Generic<T> {",
        "  @Input(shape = 4) Tensor input();",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor input);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.GENERIC_MODEL, "Generic has type parameters T", "remove the type parameters")
        .on(source, "@Model interface Generic<T>");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void interfaceExtendingAnother() {
    JavaFileObject source = Sources.model("Child",
        "interface Base {",
        "  @Input(shape = 4) Tensor input();",
        "}",
        "@Model interface Child extends Base {",
        "  @Input(shape = 4) Tensor input();",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor input);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.INHERITANCE, "Child extends Base", "Kiln reads only the layers an"
            + " interface declares itself", "remove the extends clause")
        .on(source, "@Model interface Child");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void classNameThatIsNotAJavaName() {
    JavaFileObject source = Sources.model("Named",
        "@Model(className = \"my-model\") interface Named {",
        "  @Input(shape = 4) Tensor input();",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor input);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.BAD_ATTRIBUTE, "className \"my-model\" is not a simple Java class name")
        .on(source, "@Model(className", "\"my-model\"");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void classNameOfTheInterfaceItself() {
    JavaFileObject source = Sources.model("Same",
        "@Model(className = \"Same\") interface Same {",
        "  @Input(shape = 4) Tensor input();",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor input);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.NAME_CLASH, "the name of the interface itself", "SameModel")
        .on(source, "@Model(className", "\"Same\"");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void negativeLearningRate() {
    JavaFileObject source = Sources.model("Rate",
        "@Model(optimizer = Optimizer.SGD, learningRate = -0.01) interface Rate {",
        "  @Input(shape = 4) Tensor input();",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor input);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.BAD_ATTRIBUTE, "learningRate = -0.01", "must be a positive number")
        .on(source, "learningRate = -0.01", "-0.01");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void defaultMethodWithALayerAnnotation() {
    JavaFileObject source = Sources.model("Body",
        "@Model interface Body {",
        "  @Input(shape = 4) Tensor input();",
        "  @Dense(units = 4)",
        "  default Tensor hidden(Tensor input) { return input; }",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor hidden);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.NOT_ABSTRACT, "layer hidden is a default method", "remove the body")
        .on(source, "default Tensor hidden", "hidden");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void staticMethodWithALayerAnnotation() {
    JavaFileObject source = Sources.model("Static",
        "@Model interface Static {",
        "  @Input(shape = 4) Tensor input();",
        "  @Dense(units = 4) static Tensor hidden(Tensor input) { return input; }",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor input);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.NOT_ABSTRACT, "layer hidden is a static method", "remove static and the body")
        .on(source, "static Tensor hidden", "hidden");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void genericLayerMethod() {
    JavaFileObject source = Sources.model("GenericLayer",
        "@Model interface GenericLayer {",
        "  @Input(shape = 4) Tensor input();",
        "  @Output(loss = MSE) @Dense(units = 1) <T extends Tensor> Tensor output(Tensor input);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.GENERIC_METHOD, "layer output has type parameters T")
        .on(source, "Tensor output(", "output(");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void layerReturningSomethingElse() {
    JavaFileObject source = Sources.model("Returns",
        "@Model interface Returns {",
        "  @Input(shape = 4) Tensor input();",
        "  @Output(loss = MSE) @Dense(units = 1) Object output(Tensor input);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.NOT_A_TENSOR, "layer output returns java.lang.Object", "Tensor output(...)")
        .on(source, "Object output(", "output(");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void parameterThatIsNotATensor() {
    JavaFileObject source = Sources.model("Param",
        "@Model interface Param {",
        "  @Input(shape = 4) Tensor input();",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(String input);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.NOT_A_TENSOR, "parameter input of output is java.lang.String",
            "declare it as Tensor input")
        .on(source, "Tensor output(String input)", "input)");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void varargsParameter() {
    JavaFileObject source = Sources.model("Varargs",
        "@Model interface Varargs {",
        "  @Input(shape = 4) Tensor a();",
        "  @Input(shape = 4) Tensor b();",
        "  @Concatenate Tensor both(Tensor... parts);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor both);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.NOT_A_TENSOR, "parameter parts of both is dev.kiln.Tensor[]",
            "one Tensor parameter per input")
        .on(source, "Tensor both(Tensor... parts)", "parts");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void layerNamedLikeAMemberOfTheGeneratedClass() {
    JavaFileObject source = Sources.model("Reserved",
        "@Model interface Reserved {",
        "  @Input(shape = 4) Tensor input();",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor targetArrays(Tensor input);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.RESERVED_NAME, "cannot be named targetArrays", "rename the method")
        .on(source, "Tensor targetArrays(", "targetArrays");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void layerNamedLikeAParameterOfTheGeneratedClass() {
    JavaFileObject source = Sources.model("Batch",
        "@Model interface Batch {",
        "  @Input(shape = 4) Tensor batchSize();",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor batchSize);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.RESERVED_NAME, "cannot be named batchSize")
        .on(source, "Tensor batchSize();", "batchSize");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void layerNamedLikeAClassTheGeneratedCodeCalls() {
    JavaFileObject source = Sources.model("Upper",
        "@Model interface Upper {",
        "  @Input(shape = 4) Tensor input();",
        "  @Dense(units = 4) Tensor Dense(Tensor input);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor Dense);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.RESERVED_NAME, "layer Dense starts with an upper-case letter",
            "start the name with a lower-case letter")
        .on(source, "Tensor Dense(Tensor input)", "Dense(Tensor");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void methodWithoutALayerAnnotation() {
    JavaFileObject source = Sources.model("Bare",
        "@Model interface Bare {",
        "  @Input(shape = 4) Tensor input();",
        "  Tensor hidden(Tensor input);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor hidden);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.MISSING_LAYER_ANNOTATION, "method hidden has no layer annotation",
            "@Dense(units = 64)")
        .on(source, "Tensor hidden(Tensor input);", "hidden");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void twoLayerAnnotationsOnOneMethod() {
    JavaFileObject source = Sources.model("Two",
        "@Model interface Two {",
        "  @Input(shape = 4) Tensor input();",
        "  @Dense(units = 4) @Dropout(rate = 0.5) Tensor hidden(Tensor input);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor hidden);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.TWO_LAYER_ANNOTATIONS, "@Dense and @Dropout", "split it into two methods")
        .on(source, "Tensor hidden(", "@Dropout");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void timeDistributedAroundAMerge() {
    JavaFileObject source = Sources.model("Wrapped",
        "@Model interface Wrapped {",
        "  @Input(shape = {3, 4}) Tensor a();",
        "  @Input(shape = {3, 4}) Tensor b();",
        "  @TimeDistributed @Concatenate Tensor both(Tensor a, Tensor b);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor both);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.BAD_WRAPPER, "@TimeDistributed applies a layer with one input",
            "@Concatenate takes two or more inputs")
        .on(source, "Tensor both(", "@TimeDistributed");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void bidirectionalAroundADenseLayer() {
    JavaFileObject source = Sources.model("Both",
        "@Model interface Both {",
        "  @Input(shape = {3, 4}) Tensor steps();",
        "  @Bidirectional @Dense(units = 2) Tensor both(Tensor steps);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor both);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.BAD_WRAPPER, "@Bidirectional runs a recurrent layer", "@Dense is not one")
        .on(source, "Tensor both(", "@Bidirectional");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void twoWrappersOnOneLayer() {
    JavaFileObject source = Sources.model("Wrappers",
        "@Model interface Wrappers {",
        "  @Input(shape = {3, 4}) Tensor steps();",
        "  @TimeDistributed @Bidirectional @LSTM(units = 2) Tensor both(Tensor steps);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor both);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.BAD_WRAPPER, "two wrappers, @TimeDistributed and @Bidirectional", "keep one")
        .on(source, "Tensor both(", "@Bidirectional");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void twoModelsGeneratingTheSameClass() {
    JavaFileObject first = Sources.model("First",
        "@Model(className = \"Net\") interface First {",
        "  @Input(shape = 4) Tensor input();",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor input);",
        "}");
    JavaFileObject second = Sources.model("Second",
        "@Model(className = \"Net\") interface Second {",
        "  @Input(shape = 4) Tensor input();",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor input);",
        "}");
    Compilation compilation = Sources.compile(first, second);
    Expect.that(compilation)
        .error(Tag.NAME_CLASH, "Kiln generates test.Net for test.Second",
            "@Model(className = \"...\")")
        .on(second, "@Model(className", "\"Net\"");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void generatedClassClashingWithAClassOfTheUser() {
    JavaFileObject user = com.google.testing.compile.JavaFileObjects.forSourceString(
        "test.MlpModel", "package test; class MlpModel {}");
    JavaFileObject source = Sources.model("Mlp",
        "@Model interface Mlp {",
        "  @Input(shape = 4) Tensor input();",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor input);",
        "}");
    Compilation compilation = Sources.compile(user, source);
    Expect.that(compilation)
        .error(Tag.NAME_CLASH, "Kiln generates test.MlpModel for test.Mlp")
        .on(source, "@Model interface Mlp");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void nestedModelsWithTheSameNameInOnePackage() {
    JavaFileObject first = Sources.model("A",
        "class A {",
        "  @Model interface Net {",
        "    @Input(shape = 4) Tensor input();",
        "    @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor input);",
        "  }",
        "}");
    JavaFileObject second = Sources.model("B",
        "class B {",
        "  @Model interface Net {",
        "    @Input(shape = 4) Tensor input();",
        "    @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor input);",
        "  }",
        "}");
    Compilation compilation = Sources.compile(first, second);
    Expect.that(compilation)
        .error(Tag.NAME_CLASH, "Kiln generates test.NetModel for test.B.Net")
        .on(second, "@Model interface Net");
    Expect.that(compilation).only(1, 0);
  }
}
