package dev.kiln.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.util.Arrays;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Sound models of every layer kind and every way of declaring one: each compiles, generated
 * code included, without a single error or warning from Kiln or from javac.
 */
class PassingSourcesTest {

  /**
   * Compiles {@code source} and expects no diagnostic at all and the class {@code generated}.
   * While the runtime lacks a kernel the model calls (see {@link Sources#runtimeHasKernel}),
   * Kiln must still say nothing, and javac complain only inside the generated class.
   */
  private static void compilesCleanly(JavaFileObject source, String generated, String... kernels) {
    Compilation compilation = Sources.compile(source);
    if (Arrays.stream(kernels).allMatch(Sources::runtimeHasKernel)) {
      Expect.that(compilation).only(0, 0);
      assertThat(compilation).succeededWithoutWarnings();
      assertThat(compilation).generatedSourceFile(generated);
      return;
    }
    String generatedFile = "/" + generated.replace('.', '/') + ".java";
    for (Diagnostic<? extends JavaFileObject> diagnostic : compilation.diagnostics()) {
      if (diagnostic.getKind() == Diagnostic.Kind.NOTE) {
        continue;
      }
      assertTrue(!diagnostic.getMessage(null).startsWith("[Kiln/")
              && diagnostic.getSource() != null
              && diagnostic.getSource().toUri().getPath().endsWith(generatedFile),
          "expected javac's complaints about missing kernels in " + generatedFile + " only: "
              + diagnostic);
    }
  }

  @Test
  void multilayerPerceptron() {
    compilesCleanly(Sources.model("Mlp",
        "@Model interface Mlp {",
        "  @Input(shape = 784) Tensor input();",
        "  @Dense(units = 512, activation = RELU) Tensor hidden1(Tensor input);",
        "  @Dense(units = 216, activation = TANH, useBias = false) Tensor hidden2(Tensor hidden1);",
        "  @Output(loss = CATEGORICAL_CROSSENTROPY, metrics = {ACCURACY, CATEGORICAL_ACCURACY})",
        "  @Dense(units = 10, activation = SOFTMAX) Tensor output(Tensor hidden2);",
        "}"), "test.MlpModel");
  }

  @Test
  void convolutionalClassifier() {
    compilesCleanly(Sources.model("Cnn",
        "@Model(optimizer = Optimizer.ADAM, learningRate = 1e-3) interface Cnn {",
        "  @Input(shape = {28, 28, 1}) Tensor image();",
        "  @Conv2D(filters = 8, kernelSize = 3, padding = Padding.SAME, activation = RELU)",
        "  Tensor conv1(Tensor image);",
        "  @BatchNormalization Tensor norm1(Tensor conv1);",
        "  @MaxPooling2D(poolSize = 2) Tensor pool1(Tensor norm1);",
        "  @Conv2D(filters = 8, kernelSize = {3, 2}, strides = {2, 1}) Tensor conv2(Tensor pool1);",
        "  @AveragePooling2D(poolSize = 2, strides = 1) Tensor pool2(Tensor conv2);",
        "  @Dropout(rate = 0.25) Tensor drop(Tensor pool2);",
        "  @Flatten Tensor flat(Tensor drop);",
        "  @Output(loss = BINARY_CROSSENTROPY, metrics = BINARY_ACCURACY)",
        "  @Dense(units = 1, activation = SIGMOID) Tensor output(Tensor flat);",
        "}"), "test.CnnModel");
  }

  @Test
  void encoderDecoderWithSkipConnections() {
    compilesCleanly(Sources.model("Segmenter",
        "@Model interface Segmenter {",
        "  @Input(shape = {16, 16, 3}) Tensor image();",
        "  @Conv2D(filters = 4, kernelSize = 3, padding = Padding.SAME, activation = RELU)",
        "  Tensor down(Tensor image);",
        "  @MaxPooling2D Tensor pooled(Tensor down);",
        "  @Conv2D(filters = 4, kernelSize = 3, dilationRate = 2, padding = Padding.SAME)",
        "  Tensor wide(Tensor pooled);",
        "  @UpSampling2D(size = 2) Tensor upsampled(Tensor wide);",
        "  @Conv2DTranspose(filters = 4, kernelSize = 2, strides = 2) Tensor deconv(Tensor pooled);",
        "  @Add Tensor sum(Tensor upsampled, Tensor deconv);",
        "  @Multiply Tensor gated(Tensor sum, Tensor down);",
        "  @ZeroPadding2D(padding = 1) Tensor padded(Tensor gated);",
        "  @Cropping2D(cropping = {1, 1, 1, 1}) Tensor cropped(Tensor padded);",
        "  @Concatenate Tensor merged(Tensor cropped, Tensor down);",
        "  @ActivationLayer(TANH) Tensor activated(Tensor merged);",
        "  @Output(loss = MSE, metrics = MEAN_ABSOLUTE_ERROR)",
        "  @Conv2D(filters = 1, kernelSize = 1, activation = SIGMOID) Tensor mask(Tensor activated);",
        "  @GlobalAveragePooling2D Tensor average(Tensor merged);",
        "  @GlobalMaxPooling2D Tensor maximum(Tensor merged);",
        "  @Concatenate(axis = 1) Tensor summary(Tensor average, Tensor maximum);",
        "  @Output(loss = MAE, weight = 0.2) @Dense(units = 2) Tensor count(Tensor summary);",
        "}"), "test.SegmenterModel");
  }

  @Test
  void multipleInputsAndOutputsWithSharedWeightsAndRenamedReferences() {
    compilesCleanly(Sources.model("TwoTowers",
        "@Model interface TwoTowers {",
        "  @Input(shape = 12) Tensor left();",
        "  @Input(shape = 12) Tensor right();",
        "  @Dense(units = 6, activation = RELU) Tensor encodeLeft(Tensor left);",
        "  @SameWeightsAs(\"encodeLeft\")",
        "  @Dense(units = 6, activation = RELU) Tensor encodeRight(@From(\"right\") Tensor x);",
        "  @Concatenate Tensor joined(Tensor encodeLeft, Tensor encodeRight);",
        "  @Reshape(targetShape = {3, -1}) Tensor grid(Tensor joined);",
        "  @Flatten Tensor flat(Tensor grid);",
        "  @Output(loss = SPARSE_CATEGORICAL_CROSSENTROPY,"
            + " metrics = {ACCURACY, SPARSE_CATEGORICAL_ACCURACY})",
        "  @Dense(units = 3, activation = SOFTMAX) Tensor kind(Tensor flat);",
        "  @Output(loss = MSE, weight = 0.5, metrics = MEAN_SQUARED_ERROR)",
        "  @Dense(units = 1) Tensor score(Tensor flat);",
        "}"), "test.TwoTowersModel");
  }

  @Test
  void recurrentLayersAndWrappers() {
    compilesCleanly(Sources.model("Sequences",
        "@Model interface Sequences {",
        "  @Input(shape = {10, 8}) Tensor steps();",
        "  @LSTM(units = 6, returnSequences = true) Tensor lstm(Tensor steps);",
        "  @GRU(units = 5, returnSequences = true) Tensor gru(Tensor lstm);",
        "  @Bidirectional(mergeMode = MergeMode.SUM) @SimpleRNN(units = 4, returnSequences = true)",
        "  Tensor rnn(Tensor gru);",
        "  @Output(loss = CATEGORICAL_CROSSENTROPY)",
        "  @TimeDistributed @Dense(units = 3, activation = SOFTMAX) Tensor tags(Tensor rnn);",
        "  @Bidirectional @LSTM(units = 2) Tensor summary(Tensor gru);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor score(Tensor summary);",
        "}"), "test.SequencesModel", "Lstm", "Gru", "SimpleRnn");
  }

  @Test
  void tokenIdsOfVariableLength() {
    compilesCleanly(Sources.model("Sentiment",
        "@Model interface Sentiment {",
        "  @Input(shape = -1, dtype = DType.INT32) Tensor tokens();",
        "  @Embedding(inputDim = 1000, outputDim = 16) Tensor embedded(Tensor tokens);",
        "  @LSTM(units = 8) Tensor encoded(Tensor embedded);",
        "  @Output(loss = BINARY_CROSSENTROPY, metrics = ACCURACY)",
        "  @Dense(units = 1, activation = SIGMOID) Tensor positive(Tensor encoded);",
        "}"), "test.SentimentModel", "Embedding", "Lstm");
  }

  @Test
  void timeDistributedOverImages() {
    compilesCleanly(Sources.model("Frames",
        "@Model interface Frames {",
        "  @Input(shape = {4, 8, 8, 1}) Tensor video();",
        "  @TimeDistributed @Conv2D(filters = 2, kernelSize = 3) Tensor conv(Tensor video);",
        "  @TimeDistributed @Flatten Tensor flat(Tensor conv);",
        "  @TimeDistributed @Dropout(rate = 0.1) Tensor drop(Tensor flat);",
        "  @Flatten Tensor all(Tensor drop);",
        "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor all);",
        "}"), "test.FramesModel");
  }

  @Test
  void nestedInterfaceWithHelpersAndConstants() {
    compilesCleanly(Sources.model("Outer",
        "class Outer {",
        "  @Model(className = \"Classifier\") interface Net {",
        "    int UNITS = 8;",
        "    @Input(shape = 4) Tensor input();",
        "    @Dense(units = UNITS, activation = RELU) Tensor hidden(Tensor input);",
        "    @Output(loss = CATEGORICAL_CROSSENTROPY)",
        "    @Dense(units = 3, activation = SOFTMAX) Tensor output(Tensor hidden);",
        "    static String describe() { return \"a classifier\"; }",
        "    private static int twice(int n) { return 2 * n; }",
        "  }",
        "}"), "test.Classifier");
  }

  @Test
  void modelInTheDefaultPackage() {
    JavaFileObject source = JavaFileObjects.forSourceString("Plain", String.join("\n",
        "import dev.kiln.*;",
        "@Model interface Plain {",
        "  @Input(shape = 4) Tensor input();",
        "  @Output(loss = Loss.MSE) @Dense(units = 1) Tensor output(Tensor input);",
        "}"));
    compilesCleanly(source, "PlainModel");
  }

  @Test
  void layerNamesThatAreOnlyContextualKeywordsOrLookLikeGeneratedMembers() {
    compilesCleanly(Sources.model("Words",
        "@Model interface Words {",
        "  @Input(shape = 4) Tensor record();",
        "  @Input(shape = 4) Tensor seed();",
        "  @Dense(units = 4) Tensor var(Tensor record);",
        "  @Dense(units = 4) Tensor yield(Tensor seed);",
        "  @Add Tensor predict(Tensor var, Tensor yield);",
        "  @Dense(units = 4) Tensor layers(Tensor predict);",
        "  @Dense(units = 4) Tensor data(Tensor layers);",
        "  @Dense(units = 4) Tensor b(Tensor data);",
        "  @Dense(units = 4) Tensor training(Tensor b);",
        "  @Dense(units = 4) Tensor index(Tensor training);",
        "  @Dense(units = 4) Tensor arena(Tensor index);",
        "  @Dense(units = 4) Tensor inferenceBuffers(Tensor arena);",
        "  @Dense(units = 4) Tensor org(Tensor inferenceBuffers);",
        "  @Dense(units = 4) Tensor _private(Tensor org);",
        "  @Dense(units = 4) Tensor $dollar(Tensor _private);",
        "  @Dense(units = 4) Tensor other(Tensor $dollar);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor summary(Tensor other);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor fit(Tensor other);",
        "}"), "test.WordsModel");
  }

  @Test
  void aVariableLengthModelMayNameALayerSteps() {
    compilesCleanly(Sources.model("Lengths",
        "@Model interface Lengths {",
        "  @Input(shape = {-1, 3}) Tensor tokens();",
        "  @LSTM(units = 4, returnSequences = true) Tensor steps(Tensor tokens);",
        "  @Output(loss = MSE) @LSTM(units = 2) Tensor output(Tensor steps);",
        "}"), "test.LengthsModel");
  }

  @Test
  void aRepeatedInputIsAllowedAsInKeras() {
    compilesCleanly(Sources.model("Square",
        "@Model interface Square {",
        "  @Input(shape = 4) Tensor x();",
        "  @Multiply Tensor squared(Tensor x, @From(\"x\") Tensor again);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor squared);",
        "}"), "test.SquareModel");
  }

  @Test
  void sequenceConvolutionsAndPoolings() {
    compilesCleanly(Sources.model("Series",
        "@Model interface Series {",
        "  @Input(shape = {16, 2}) Tensor series();",
        "  @Conv1D(filters = 4, kernelSize = 3, dilationRate = 2, padding = Padding.CAUSAL,",
        "      activation = RELU) Tensor conv(Tensor series);",
        "  @MaxPooling1D Tensor pooled(Tensor conv);",
        "  @UpSampling1D(size = 2) Tensor up(Tensor pooled);",
        "  @AveragePooling1D(poolSize = 3, strides = 1, padding = Padding.SAME) Tensor smooth(Tensor up);",
        "  @Conv1D(filters = 2, kernelSize = 2, strides = 2) Tensor strided(Tensor smooth);",
        "  @GlobalMaxPooling1D Tensor peak(Tensor strided);",
        "  @GlobalAveragePooling1D Tensor mean(Tensor smooth);",
        "  @Concatenate Tensor both(Tensor peak, Tensor mean);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor both);",
        "}"), "test.SeriesModel", "Conv1D", "MaxPooling1D", "UpSampling1D", "AveragePooling1D",
        "GlobalMaxPooling1D", "GlobalAveragePooling1D");
  }

  @Test
  void depthwiseSeparableConvolutions() {
    compilesCleanly(Sources.model("Mobile",
        "@Model interface Mobile {",
        "  @Input(shape = {12, 12, 3}) Tensor image();",
        "  @DepthwiseConv2D(kernelSize = 3, depthMultiplier = 2, strides = 2, padding = Padding.SAME,",
        "      activation = RELU) Tensor depthwise(Tensor image);",
        "  @SeparableConv2D(filters = 8, kernelSize = {3, 2}, dilationRate = 2, useBias = false)",
        "      Tensor separable(Tensor depthwise);",
        "  @GlobalAveragePooling2D Tensor pooled(Tensor separable);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor pooled);",
        "}"), "test.MobileModel", "DepthwiseConv2D", "SeparableConv2D");
  }
}
