package dev.kiln.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import dev.kiln.processor.check.Tag;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** Shape mistakes, reported where Keras would raise, on the layer at fault. */
class ShapeErrorsTest {

  @Test
  void kernelLargerThanItsInput() {
    JavaFileObject source = Sources.model("Big",
        "@Model interface Big {",
        "  @Input(shape = {5, 5, 1}) Tensor image();",
        "  @Conv2D(filters = 4, kernelSize = 8) Tensor conv(Tensor image);",
        "  @Flatten Tensor flat(Tensor conv);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}");
    Compilation compilation = Sources.compile(source);
    assertThat(compilation).hadErrorCount(1);
    assertThat(compilation)
        .hadErrorContaining("[Kiln/ShapeMismatch] conv's 8x8 window does not fit in its input"
            + " (None, 5, 5, 1) from image; use padding = SAME or a smaller kernelSize")
        .inFile(source)
        .onLineContaining("kernelSize = 8");
  }

  @Test
  void convolutionOfAFlatVector() {
    JavaFileObject source = Sources.model("Flat",
        "@Model interface Flat {",
        "  @Input(shape = 784) Tensor pixels();",
        "  @Conv2D(filters = 4, kernelSize = 3) Tensor conv(Tensor pixels);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor conv);",
        "}");
    Compilation compilation = Sources.compile(source);
    assertThat(compilation)
        .hadErrorContaining("conv is a Conv2D layer, which expects images (rows, columns,"
            + " channels), but its input is (None, 784) from pixels; add @Reshape")
        .inFile(source)
        .onLineContaining("Tensor conv(Tensor pixels)");
  }

  @Test
  void concatenationOfMismatchedShapesNamesBothAndTheAxis() {
    JavaFileObject source = Sources.model("Join",
        "@Model interface Join {",
        "  @Input(shape = {8, 8, 3}) Tensor a();",
        "  @Input(shape = {6, 6, 3}) Tensor b();",
        "  @Concatenate Tensor both(Tensor a, Tensor b);",
        "  @Flatten Tensor flat(Tensor both);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}");
    Compilation compilation = Sources.compile(source);
    assertThat(compilation)
        .hadErrorContaining("both concatenates (None, 8, 8, 3) from a with (None, 6, 6, 3) from b"
            + " on axis -1; all other axes must match.")
        .inFile(source)
        .onLineContaining("@Concatenate Tensor both");
  }

  @Test
  void concatenationOnTheBatchAxis() {
    JavaFileObject source = Sources.model("BatchAxis",
        "@Model interface BatchAxis {",
        "  @Input(shape = 4) Tensor a();",
        "  @Input(shape = 4) Tensor b();",
        "  @Concatenate(axis = 0) Tensor both(Tensor a, Tensor b);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor both);",
        "}");
    assertThat(Sources.compile(source))
        .hadErrorContaining("both concatenates on axis 0, but axis 0 is the batch axis (axes"
            + " count it, as in Keras), and a layer joins the tensors of each sample, not the"
            + " samples of a batch; use axis = 1 or -1, the features axis")
        .inFile(source)
        .onLineContaining("axis = 0");
  }

  @Test
  void concatenationPastTheLastAxis() {
    JavaFileObject source = Sources.model("PastLast",
        "@Model interface PastLast {",
        "  @Input(shape = {4, 3}) Tensor a();",
        "  @Input(shape = {4, 3}) Tensor b();",
        "  @Concatenate(axis = 3) Tensor both(Tensor a, Tensor b);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor both);",
        "}");
    assertThat(Sources.compile(source))
        .hadErrorContaining("both concatenates on axis 3, but its inputs, such as (None, 4, 3)"
            + " from a, have 3 axes, numbered from 0 (the batch axis) to 2; use an axis from 1"
            + " to 2, or -1 for the last")
        .inFile(source)
        .onLineContaining("axis = 3");
  }

  @Test
  void addOfDifferentShapes() {
    JavaFileObject source = Sources.model("Sum",
        "@Model interface Sum {",
        "  @Input(shape = 4) Tensor a();",
        "  @Input(shape = 5) Tensor b();",
        "  @Add Tensor sum(Tensor a, Tensor b);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor sum);",
        "}");
    assertThat(Sources.compile(source))
        .hadErrorContaining("sum adds (None, 4) from a and (None, 5) from b elementwise; their"
            + " shapes must be equal.")
        .inFile(source)
        .onLineContaining("@Add Tensor sum");
  }

  @Test
  void reshapeThatChangesTheNumberOfValues() {
    JavaFileObject source = Sources.model("Grid",
        "@Model interface Grid {",
        "  @Input(shape = 10) Tensor a();",
        "  @Reshape(targetShape = {3, 3}) Tensor grid(Tensor a);",
        "  @Flatten Tensor flat(Tensor grid);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}");
    assertThat(Sources.compile(source))
        .hadErrorContaining("grid reshapes (None, 10) from a (10 values) to [3, 3], but the"
            + " number of values must stay the same; write -1 for the size that follows from the"
            + " others, or sizes whose product is 10")
        .inFile(source)
        .onLineContaining("targetShape = {3, 3}");
  }

  @Test
  void sharedWeightsOnAnInputWithOtherChannels() {
    JavaFileObject source = Sources.model("Shared",
        "@Model interface Shared {",
        "  @Input(shape = {6, 6, 1}) Tensor grey();",
        "  @Input(shape = {6, 6, 3}) Tensor colour();",
        "  @Conv2D(filters = 2, kernelSize = 3) Tensor encodeGrey(Tensor grey);",
        "  @SameWeightsAs(\"encodeGrey\")",
        "  @Conv2D(filters = 2, kernelSize = 3) Tensor encodeColour(Tensor colour);",
        "  @Add Tensor sum(Tensor encodeGrey, Tensor encodeColour);",
        "  @Flatten Tensor flat(Tensor sum);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}");
    assertThat(Sources.compile(source))
        .hadErrorContaining("[Kiln/SharedWeightsMismatch] encodeColour uses the weights of"
            + " encodeGrey, which has [kernel (3, 3, 1, 2), bias (2,)], but with its own input"
            + " (None, 6, 6, 3) it needs [kernel (3, 3, 3, 2), bias (2,)]")
        .inFile(source)
        .onLineContaining("@SameWeightsAs(\"encodeGrey\")");
  }

  @Test
  void sharedWeightsOfAnotherKindOfLayer() {
    JavaFileObject source = Sources.model("Kinds",
        "@Model interface Kinds {",
        "  @Input(shape = 4) Tensor a();",
        "  @Dense(units = 4) Tensor dense(Tensor a);",
        "  @SameWeightsAs(\"dense\") @ActivationLayer(RELU) Tensor act(Tensor dense);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor act);",
        "}");
    assertThat(Sources.compile(source))
        .hadErrorContaining("act is an Activation layer but uses the weights of dense, a Dense"
            + " layer; shared weights need the same kind of layer")
        .inFile(source)
        .onLineContaining("@SameWeightsAs(\"dense\")");
  }

  @Test
  void dropoutRateOutsideItsRange() {
    JavaFileObject source = Sources.model("Drop",
        "@Model interface Drop {",
        "  @Input(shape = 4) Tensor a();",
        "  @Dropout(rate = 1.0) Tensor dropped(Tensor a);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor dropped);",
        "}");
    assertThat(Sources.compile(source))
        .hadErrorContaining("[Kiln/BadAttribute] rate = 1.0 on dropped, but the share of values"
            + " dropped must be in [0, 1)")
        .inFile(source)
        .onLineContaining("rate = 1.0");
  }

  /** Compiles {@code source}, expecting one Kiln error and nothing else. */
  private static Expect.Found expectOne(JavaFileObject source, Tag tag, String... keywords) {
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation).only(1, 0);
    return Expect.that(compilation).error(tag, keywords);
  }

  @Test
  void lstmOnAFlatVector() {
    JavaFileObject source = Sources.model("Flat",
        "@Model interface Flat {",
        "  @Input(shape = 8) Tensor input();",
        "  @LSTM(units = 4) Tensor lstm(Tensor input);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor lstm);",
        "}");
    expectOne(source, Tag.SHAPE_MISMATCH, "lstm is an LSTM layer, which reads sequences (steps,"
            + " features), but its input is (None, 8) from input",
        "give the input a steps axis, such as shape = {8, 1}")
        .on(source, "Tensor lstm(Tensor input)", "input)");
  }

  @Test
  void gruOnImages() {
    JavaFileObject source = Sources.model("Images",
        "@Model interface Images {",
        "  @Input(shape = {8, 8, 1}) Tensor input();",
        "  @GRU(units = 4) Tensor gru(Tensor input);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor gru);",
        "}");
    expectOne(source, Tag.SHAPE_MISMATCH, "gru is a GRU layer, which reads sequences",
        "(None, 8, 8, 1) from input", "@Reshape it to (steps, features) first")
        .on(source, "Tensor gru(Tensor input)", "input)");
  }

  @Test
  void bidirectionalOnAVector() {
    JavaFileObject source = Sources.model("Both",
        "@Model interface Both {",
        "  @Input(shape = 8) Tensor input();",
        "  @Bidirectional @SimpleRNN(units = 4) Tensor rnn(Tensor input);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor rnn);",
        "}");
    expectOne(source, Tag.SHAPE_MISMATCH, "rnn is a SimpleRNN layer, which reads sequences",
        "(None, 8) from input")
        .on(source, "Tensor rnn(Tensor input)", "input)");
  }

  @Test
  void flattenOfAVariableLength() {
    JavaFileObject source = Sources.model("Varying",
        "@Model interface Varying {",
        "  @Input(shape = {-1, 4}) Tensor steps();",
        "  @Flatten Tensor flat(Tensor steps);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}");
    expectOne(source, Tag.SHAPE_MISMATCH, "flat flattens (None, None, 4) from steps, whose length"
            + " varies", "Flatten needs every axis to have a size")
        .on(source, "@Flatten Tensor flat", "steps)");
  }

  @Test
  void reshapeOfAVariableLength() {
    JavaFileObject source = Sources.model("Reshaped",
        "@Model interface Reshaped {",
        "  @Input(shape = {-1, 4}) Tensor steps();",
        "  @Reshape(targetShape = {2, 2}) Tensor grid(Tensor steps);",
        "  @Flatten Tensor flat(Tensor grid);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}");
    expectOne(source, Tag.SHAPE_MISMATCH, "grid reshapes (None, None, 4) from steps (a varying"
            + " number of values) to [2, 2]")
        .on(source, "targetShape = {2, 2}", "{2, 2}");
  }

  @Test
  void denseOnAVariableLastAxis() {
    JavaFileObject source = Sources.model("Ids",
        "@Model interface Ids {",
        "  @Input(shape = -1) Tensor values();",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor values);",
        "}");
    expectOne(source, Tag.SHAPE_MISMATCH, "output is a Dense layer, which needs a known last axis",
        "(None, None) from values", "give that axis a size, or Flatten first")
        .on(source, "Tensor output(Tensor values)", "values)");
  }

  @Test
  void concatenationAlongAVariableLength() {
    JavaFileObject source = Sources.model("Steps",
        "@Model interface Steps {",
        "  @Input(shape = {-1, 4}) Tensor a();",
        "  @Input(shape = {-1, 4}) Tensor b();",
        "  @Concatenate(axis = 1) Tensor both(Tensor a, Tensor b);",
        "  @LSTM(units = 2) Tensor lstm(Tensor both);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor lstm);",
        "}");
    expectOne(source, Tag.SHAPE_MISMATCH, "both concatenates on axis 1, whose length varies in"
            + " (None, None, 4) from a", "Concatenate on the features axis (-1) instead")
        .on(source, "@Concatenate(axis = 1)", "1)");
  }

  @Test
  void concatenationOfDifferentRanks() {
    JavaFileObject source = Sources.model("Ranks",
        "@Model interface Ranks {",
        "  @Input(shape = {2, 4}) Tensor a();",
        "  @Input(shape = 8) Tensor b();",
        "  @Concatenate Tensor both(Tensor a, Tensor b);",
        "  @Flatten Tensor flat(Tensor both);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}");
    expectOne(source, Tag.SHAPE_MISMATCH, "both concatenates (None, 2, 4) from a with (None, 8)"
            + " from b on axis -1; all other axes must match")
        .on(source, "@Concatenate Tensor both", "b)");
  }

  @Test
  void embeddingOfFloats() {
    JavaFileObject source = Sources.model("Floats",
        "@Model interface Floats {",
        "  @Input(shape = 5) Tensor words();",
        "  @Embedding(inputDim = 100, outputDim = 8) Tensor embedded(Tensor words);",
        "  @Flatten Tensor flat(Tensor embedded);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}");
    expectOne(source, Tag.DTYPE_MISMATCH, "embedded looks up token ids, but its input words holds"
            + " floats", "declare it @Input(shape = ..., dtype = INT32)")
        .on(source, "Tensor embedded(Tensor words)", "words)");
  }

  @Test
  void tokenIdsReadByADenseLayer() {
    JavaFileObject source = Sources.model("Tokens",
        "@Model interface Tokens {",
        "  @Input(shape = 5, dtype = DType.INT32) Tensor words();",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor words);",
        "}");
    expectOne(source, Tag.DTYPE_MISMATCH, "output reads words, which holds INT32 token ids",
        "only an @Embedding can read them")
        .on(source, "Tensor output(Tensor words)", "@Dense");
  }

  @Test
  void poolLargerThanItsImage() {
    JavaFileObject source = Sources.model("Pool",
        "@Model interface Pool {",
        "  @Input(shape = {3, 3, 1}) Tensor image();",
        "  @MaxPooling2D(poolSize = 4) Tensor pooled(Tensor image);",
        "  @Flatten Tensor flat(Tensor pooled);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}");
    expectOne(source, Tag.SHAPE_MISMATCH, "pooled's 4x4 window does not fit in its input"
            + " (None, 3, 3, 1) from image", "use padding = SAME or a smaller poolSize")
        .on(source, "poolSize = 4", "4)");
  }

  @Test
  void dilatedKernelLargerThanItsImage() {
    JavaFileObject source = Sources.model("Dilated",
        "@Model interface Dilated {",
        "  @Input(shape = {6, 6, 1}) Tensor image();",
        "  @Conv2D(filters = 1, kernelSize = 3, dilationRate = 3) Tensor conv(Tensor image);",
        "  @Flatten Tensor flat(Tensor conv);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}");
    expectOne(source, Tag.SHAPE_MISMATCH, "conv's 7x7 window does not fit in its input"
            + " (None, 6, 6, 1) from image")
        .on(source, "kernelSize = 3", "3,");
  }

  @Test
  void globalPoolingOfAVector() {
    JavaFileObject source = Sources.model("Global",
        "@Model interface Global {",
        "  @Input(shape = 8) Tensor input();",
        "  @GlobalAveragePooling2D Tensor pooled(Tensor input);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor pooled);",
        "}");
    expectOne(source, Tag.SHAPE_MISMATCH, "pooled is a GlobalAveragePooling2D layer, which expects"
            + " images (rows, columns, channels), but its input is (None, 8) from input")
        .on(source, "Tensor pooled(Tensor input)", "input)");
  }

  @Test
  void croppingAwayTheWholeImage() {
    JavaFileObject source = Sources.model("Crop",
        "@Model interface Crop {",
        "  @Input(shape = {4, 4, 1}) Tensor image();",
        "  @Cropping2D(cropping = 2) Tensor cropped(Tensor image);",
        "  @Flatten Tensor flat(Tensor cropped);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}");
    expectOne(source, Tag.SHAPE_MISMATCH, "cropped crops (None, 4, 4, 1) from image to nothing"
            + " (0x0)", "crop less")
        .on(source, "cropping = 2", "2)");
  }

  @Test
  void timeDistributedWithoutASteps() {
    JavaFileObject source = Sources.model("NoSteps",
        "@Model interface NoSteps {",
        "  @Input(shape = 8) Tensor input();",
        "  @TimeDistributed @Dense(units = 2) Tensor each(Tensor input);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor each);",
        "}");
    expectOne(source, Tag.SHAPE_MISMATCH, "each applies a Dense layer to each step of a sequence,"
            + " but its input (None, 8) from input has no steps axis")
        .on(source, "Tensor each(Tensor input)", "input)");
  }

  @Test
  void variableLengthMovedOffTheStepsAxis() {
    JavaFileObject source = Sources.model("Moved",
        "@Model interface Moved {",
        "  @Input(shape = {-1, 4}) Tensor steps();",
        "  @TimeDistributed @Reshape(targetShape = {2, 2}) Tensor grids(Tensor steps);",
        "  @TimeDistributed @Flatten Tensor flat(Tensor grids);",
        "  @LSTM(units = 2) Tensor lstm(Tensor flat);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor lstm);",
        "}");
    expectOne(source, Tag.UNSUPPORTED, "grids has shape (None, None, 2, 2)",
        "only on the steps axis of a sequence (steps, features)")
        .on(source, "Tensor grids(Tensor steps)", "@Reshape");
  }

  @Test
  void upSamplingPastWhatASampleHolds() {
    JavaFileObject source = Sources.model("Grown",
        "@Model interface Grown {",
        "  @Input(shape = {40000, 40000, 1}) Tensor image();",
        "  @UpSampling2D(size = 2) Tensor big(Tensor image);",
        "  @Flatten Tensor flat(Tensor big);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}");
    expectOne(source, Tag.TOO_LARGE, "big outputs (None, 80000, 80000, 1), 6400000000 values per"
            + " sample", "use smaller sizes")
        .on(source, "Tensor big(Tensor image)", "@UpSampling2D");
  }

  @Test
  void upSamplingPastWhatAnAxisHolds() {
    JavaFileObject source = Sources.model("Axis",
        "@Model interface Axis {",
        "  @Input(shape = {30000, 2, 1}) Tensor image();",
        "  @UpSampling2D(size = 100000) Tensor big(Tensor image);",
        "  @Flatten Tensor flat(Tensor big);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}");
    expectOne(source, Tag.TOO_LARGE, "big's sizes pass the 2147483647 values an array axis can"
            + " hold", "from (None, 30000, 2, 1) from image")
        .on(source, "Tensor big(Tensor image)", "@UpSampling2D");
  }

  @Test
  void denseOnImagesWarnsThatItActsOnTheLastAxis() {
    JavaFileObject source = Sources.model("Pixels",
        "@Model interface Pixels {",
        "  @Input(shape = {4, 4, 3}) Tensor image();",
        "  @Dense(units = 8) Tensor mixed(Tensor image);",
        "  @Flatten Tensor flat(Tensor mixed);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .warning(Tag.DENSE_ON_LAST_AXIS, "mixed is a Dense layer on the rank-4 tensor"
            + " (None, 4, 4, 3) from image", "outputs (None, 4, 4, 8)", "add @Flatten before it")
        .on(source, "Tensor mixed(Tensor image)", "@Dense");
    Expect.that(compilation).only(0, 1);
  }

  @Test
  void shapeErrorsInIndependentBranchesAreAllReported() {
    JavaFileObject source = Sources.model("Branches",
        "@Model interface Branches {",
        "  @Input(shape = {5, 5, 1}) Tensor image();",
        "  @Input(shape = 8) Tensor vector();",
        "  @Conv2D(filters = 2, kernelSize = 8) Tensor conv(Tensor image);",
        "  @Flatten Tensor flat(Tensor conv);",
        "  @LSTM(units = 2) Tensor lstm(Tensor vector);",
        "  @Concatenate Tensor both(Tensor flat, Tensor lstm);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor both);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation).error(Tag.SHAPE_MISMATCH, "conv's 8x8 window does not fit")
        .on(source, "kernelSize = 8", "8)");
    Expect.that(compilation).error(Tag.SHAPE_MISMATCH, "lstm is an LSTM layer, which reads"
        + " sequences").on(source, "Tensor lstm(Tensor vector)", "vector)");
    // flat, both and output read layers without a shape: nothing more is said about them.
    Expect.that(compilation).only(2, 0);
  }
}
