package dev.kiln.processor;

import com.google.testing.compile.Compilation;
import dev.kiln.processor.check.Tag;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** Outputs that cannot be trained as declared, reported on the {@code @Output} value at fault. */
class TrainingErrorsTest {

  /** A model whose output is {@code output} on a 4-feature input. */
  private static JavaFileObject output(String name, String output) {
    return Sources.model(name,
        "@Model interface " + name + " {",
        "  @Input(shape = 4) Tensor input();",
        "  " + output + " Tensor output(Tensor input);",
        "}");
  }

  private static Expect.Found expectOne(JavaFileObject source, Tag tag, String... keywords) {
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation).only(1, 0);
    return Expect.that(compilation).error(tag, keywords);
  }

  @Test
  void categoricalCrossEntropyOnASigmoid() {
    JavaFileObject source = output("Sigmoid",
        "@Output(loss = CATEGORICAL_CROSSENTROPY) @Dense(units = 3, activation = SIGMOID)");
    expectOne(source, Tag.LOSS_MISMATCH, "CATEGORICAL_CROSSENTROPY on output expects probabilities"
            + " from a softmax activation, but output has sigmoid", "use activation = SOFTMAX")
        .on(source, "@Output(", "CATEGORICAL_CROSSENTROPY");
  }

  @Test
  void categoricalCrossEntropyOnTheDefaultLinearActivation() {
    JavaFileObject source = output("Linear",
        "@Output(loss = CATEGORICAL_CROSSENTROPY) @Dense(units = 3)");
    expectOne(source, Tag.LOSS_MISMATCH, "but output has linear", "or fromLogits = true to have the loss apply it")
        .on(source, "@Output(", "CATEGORICAL_CROSSENTROPY");
  }

  @Test
  void binaryCrossEntropyOnASoftmax() {
    JavaFileObject source = output("Softmax",
        "@Output(loss = BINARY_CROSSENTROPY) @Dense(units = 3, activation = SOFTMAX)");
    expectOne(source, Tag.LOSS_MISMATCH, "BINARY_CROSSENTROPY on output expects probabilities from"
            + " a sigmoid activation, but output has softmax", "use activation = SIGMOID")
        .on(source, "@Output(", "BINARY_CROSSENTROPY");
  }

  @Test
  void sparseCrossEntropyOnARelu() {
    JavaFileObject source = output("Relu",
        "@Output(loss = SPARSE_CATEGORICAL_CROSSENTROPY) @Dense(units = 3, activation = RELU)");
    expectOne(source, Tag.LOSS_MISMATCH, "SPARSE_CATEGORICAL_CROSSENTROPY on output expects"
            + " probabilities from a softmax activation, but output has relu")
        .on(source, "@Output(", "SPARSE_CATEGORICAL_CROSSENTROPY");
  }

  @Test
  void categoricalCrossEntropyOverOneClass() {
    JavaFileObject source = output("OneClass",
        "@Output(loss = CATEGORICAL_CROSSENTROPY) @Dense(units = 1, activation = SOFTMAX)");
    expectOne(source, Tag.LOSS_MISMATCH, "has shape (None, 1) with one class",
        "nothing would learn", "BINARY_CROSSENTROPY with a sigmoid")
        .on(source, "@Output(", "CATEGORICAL_CROSSENTROPY");
  }

  @Test
  void crossEntropyOnARecurrentOutput() {
    JavaFileObject source = Sources.model("Recurrent",
        "@Model interface Recurrent {",
        "  @Input(shape = {5, 3}) Tensor steps();",
        "  @Output(loss = CATEGORICAL_CROSSENTROPY) @LSTM(units = 4) Tensor output(Tensor steps);",
        "}");
    expectOne(source, Tag.LOSS_MISMATCH, "but output has linear", "use activation = SOFTMAX")
        .on(source, "@Output(", "CATEGORICAL_CROSSENTROPY");
  }

  @Test
  void softmaxFromASeparateActivationLayerIsAccepted() {
    Compilation compilation = Sources.compile(Sources.model("Separate",
        "@Model interface Separate {",
        "  @Input(shape = 4) Tensor input();",
        "  @Dense(units = 3) Tensor logits(Tensor input);",
        "  @Output(loss = CATEGORICAL_CROSSENTROPY) @ActivationLayer(SOFTMAX)",
        "  Tensor output(Tensor logits);",
        "}"));
    Expect.that(compilation).only(0, 0);
  }

  @Test
  void crossEntropyOutputFeedingAnotherLayer() {
    JavaFileObject source = Sources.model("Feeds",
        "@Model interface Feeds {",
        "  @Input(shape = 4) Tensor input();",
        "  @Output(loss = CATEGORICAL_CROSSENTROPY)",
        "  @Dense(units = 3, activation = SOFTMAX) Tensor classes(Tensor input);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor score(Tensor classes);",
        "}");
    expectOne(source, Tag.UNSUPPORTED, "output classes also feeds score", "read from the layer"
            + " before it, or add a separate output layer")
        .on(source, "@Output(loss = CATEGORICAL_CROSSENTROPY)", "@Output");
  }

  @Test
  void crossEntropyOutputReadOnlyByALayerLeftOutIsFine() {
    JavaFileObject source = Sources.model("Probe",
        "@Model interface Probe {",
        "  @Input(shape = 4) Tensor input();",
        "  @Output(loss = CATEGORICAL_CROSSENTROPY)",
        "  @Dense(units = 3, activation = SOFTMAX) Tensor classes(Tensor input);",
        "  @Dense(units = 1) Tensor probe(Tensor classes);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation).warning(Tag.UNUSED, "layer probe reaches no @Output")
        .on(source, "Tensor probe(Tensor classes)", "@Dense");
    Expect.that(compilation).only(0, 1);
  }

  @Test
  void categoricalAccuracyWithSparseTargets() {
    JavaFileObject source = output("Sparse",
        "@Output(loss = SPARSE_CATEGORICAL_CROSSENTROPY, metrics = CATEGORICAL_ACCURACY)"
            + " @Dense(units = 3, activation = SOFTMAX)");
    expectOne(source, Tag.METRIC_MISMATCH, "CATEGORICAL_ACCURACY on output expects targets shaped"
            + " like the output (one-hot)", "takes class indices", "use ACCURACY")
        .on(source, "@Output(", "CATEGORICAL_ACCURACY");
  }

  @Test
  void meanSquaredErrorMetricWithSparseTargets() {
    JavaFileObject source = output("SparseError",
        "@Output(loss = SPARSE_CATEGORICAL_CROSSENTROPY, metrics = {ACCURACY, MEAN_SQUARED_ERROR})"
            + " @Dense(units = 3, activation = SOFTMAX)");
    expectOne(source, Tag.METRIC_MISMATCH, "MEAN_SQUARED_ERROR on output expects targets shaped"
            + " like the output")
        .on(source, "@Output(", "{ACCURACY");
  }

  @Test
  void sparseAccuracyWithOneHotTargets() {
    JavaFileObject source = output("OneHot",
        "@Output(loss = CATEGORICAL_CROSSENTROPY, metrics = SPARSE_CATEGORICAL_ACCURACY)"
            + " @Dense(units = 3, activation = SOFTMAX)");
    expectOne(source, Tag.METRIC_MISMATCH, "SPARSE_CATEGORICAL_ACCURACY on output expects"
            + " class-index targets", "takes targets shaped like the output")
        .on(source, "@Output(", "SPARSE_CATEGORICAL_ACCURACY");
  }

  @Test
  void everyOutputIsCheckedOnItsOwn() {
    JavaFileObject source = Sources.model("Heads",
        "@Model interface Heads {",
        "  @Input(shape = 4) Tensor input();",
        "  @Output(loss = BINARY_CROSSENTROPY, weight = -1)",
        "  @Dense(units = 1, activation = RELU) Tensor yes(Tensor input);",
        "  @Output(loss = CATEGORICAL_CROSSENTROPY)",
        "  @Dense(units = 4, activation = SIGMOID) Tensor which(Tensor input);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation).error(Tag.BAD_ATTRIBUTE, "weight = -1.0 on output yes")
        .on(source, "weight = -1", "-1");
    Expect.that(compilation).error(Tag.LOSS_MISMATCH, "BINARY_CROSSENTROPY on yes")
        .on(source, "@Output(loss = BINARY_CROSSENTROPY", "BINARY_CROSSENTROPY");
    Expect.that(compilation).error(Tag.LOSS_MISMATCH, "CATEGORICAL_CROSSENTROPY on which")
        .on(source, "@Output(loss = CATEGORICAL_CROSSENTROPY)", "CATEGORICAL_CROSSENTROPY");
    Expect.that(compilation).only(3, 0);
  }

  @Test
  void aucOnARegressionOutput() {
    JavaFileObject source = output("AucOnMse", "@Output(loss = MSE, metrics = AUC) @Dense(units = 1)");
    expectOne(source, Tag.METRIC_MISMATCH, "AUC on output ranks yes/no predictions",
        "MSE is a regression loss")
        .on(source, "@Output(", "AUC");
  }

  @Test
  void meanIouOnABinaryOutput() {
    JavaFileObject source = output("IouOnBinary",
        "@Output(loss = BINARY_CROSSENTROPY, metrics = MEAN_IOU) @Dense(units = 1, activation = SIGMOID)");
    expectOne(source, Tag.METRIC_MISMATCH, "MEAN_IOU on output compares predicted classes")
        .on(source, "@Output(", "MEAN_IOU");
  }

  @Test
  void r2OnAClassifier() {
    JavaFileObject source = output("R2OnClasses",
        "@Output(loss = CATEGORICAL_CROSSENTROPY, metrics = R2_SCORE) @Dense(units = 3, activation = SOFTMAX)");
    expectOne(source, Tag.METRIC_MISMATCH, "R2_SCORE on output measures explained variance")
        .on(source, "@Output(", "R2_SCORE");
  }
}
