package dev.kiln.processor;

import com.google.testing.compile.Compilation;
import dev.kiln.processor.check.Tag;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Masks at build time: the warning where a layer loses one, on that layer's annotation, and the
 * errors of Embedding(maskZero) and Masking; models whose masks reach a layer that reads them
 * compile without a word.
 */
class MaskErrorsTest {

  /** Tokens of any length, embedded with maskZero, then {@code layers} reading {@code embedded}. */
  private static JavaFileObject tokens(String name, String... layers) {
    String[] lines = new String[layers.length + 4];
    lines[0] = "@Model interface " + name + " {";
    lines[1] = "  @Input(shape = 6, dtype = DType.INT32) Tensor tokens();";
    lines[2] = "  @Embedding(inputDim = 10, outputDim = 4, maskZero = true) Tensor embedded(Tensor tokens);";
    System.arraycopy(layers, 0, lines, 3, layers.length);
    lines[lines.length - 1] = "}";
    return Sources.model(name, lines);
  }

  @Test
  void flattenDropsTheMaskWithAWarningOnItsAnnotation() {
    JavaFileObject source = tokens("Flat",
        "  @Dropout(rate = 0.1) Tensor dropped(Tensor embedded);",
        "  @Flatten Tensor flat(Tensor dropped);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation).warning(Tag.MASK_DROPPED,
            "flat is a Flatten layer, which ignores masks, but its input dropped carries the mask"
                + " of padded steps made by embedded (Embedding with maskZero = true): from"
                + " flat on, padded steps count as data; read the sequence with a layer that uses"
                + " the mask (")
        .on(source, "@Flatten Tensor flat", "@Flatten");
    Expect.that(compilation).only(0, 1);
  }

  @Test
  void conv1dAndGlobalMaxPoolingDropIt() {
    JavaFileObject source = tokens("Conv",
        "  @Conv1D(filters = 2, kernelSize = 3) Tensor conv(Tensor embedded);",
        "  @GlobalMaxPooling1D Tensor peak(Tensor embedded);",
        "  @Concatenate Tensor both(Tensor peak, Tensor pooled);",
        "  @GlobalAveragePooling1D Tensor pooled(Tensor conv);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor both);");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation).warning(Tag.MASK_DROPPED, "conv is a Conv1D layer").on(source,
        "Tensor conv(", "@Conv1D");
    Expect.that(compilation).warning(Tag.MASK_DROPPED, "peak is a GlobalMaxPooling1D layer")
        .on(source, "Tensor peak(", "@GlobalMaxPooling1D");
    Expect.that(compilation).only(0, 2);
  }

  @Test
  void concatenatingStepsDropsItAndFeaturesKeepIt() {
    JavaFileObject source = Sources.model("Joined",
        "@Model interface Joined {",
        "  @Input(shape = {5, 3}) Tensor series();",
        "  @Masking(maskValue = -1) Tensor masked(Tensor series);",
        "  @Concatenate(axis = 1) Tensor longer(Tensor masked, Tensor series);",
        "  @Concatenate Tensor wider(Tensor masked, Tensor series);",
        "  @GlobalAveragePooling1D Tensor pooled(Tensor wider);",
        "  @Flatten Tensor flat(Tensor longer);",
        "  @Concatenate Tensor both(Tensor pooled, Tensor flat);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor both);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation).warning(Tag.MASK_DROPPED, "longer is a Concatenate layer",
        "its input masked carries a mask of padded steps (Masking)").on(source, "Tensor longer(", "@Concatenate");
    Expect.that(compilation).only(0, 1);
  }

  @Test
  void masksReachingTheirReadersCompileWithoutAWord() {
    JavaFileObject source = tokens("Clean",
        "  @Dense(units = 3, activation = Activation.TANH) Tensor hidden(Tensor embedded);",
        "  @LayerNormalization Tensor normal(Tensor hidden);",
        "  @Input(shape = {6, 3}) Tensor series();",
        "  @Masking Tensor masked(Tensor series);",
        "  @Add Tensor sum(Tensor normal, Tensor masked);",
        "  @Softmax Tensor weights(Tensor sum);",
        "  @GlobalAveragePooling1D Tensor pooled(Tensor weights);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor pooled);",
        "  @Output(loss = MSE) @TimeDistributed @Dense(units = 2) Tensor perStep(Tensor sum);");
    Expect.that(Sources.compile(source)).only(0, 0);
  }

  @Test
  void recurrentLayersReadTheMaskAndASequenceOfThemCarriesItOn() {
    JavaFileObject source = tokens("Recurrent",
        "  @Bidirectional @LSTM(units = 3, returnSequences = true) Tensor both(Tensor embedded);",
        "  @GRU(units = 2, returnSequences = true) Tensor steps(Tensor both);",
        "  @SimpleRNN(units = 2) Tensor last(Tensor steps);",
        "  @Flatten Tensor flat(Tensor steps);",
        "  @Concatenate Tensor joined(Tensor last, Tensor flat);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor joined);");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation).warning(Tag.MASK_DROPPED, "flat is a Flatten layer, which ignores"
            + " masks, but its input steps carries the mask of padded steps made by embedded",
            "(@GlobalAveragePooling1D, @LSTM, @GRU, @SimpleRNN, @Bidirectional,"
                + " @MultiHeadAttention)")
        .on(source, "@Flatten Tensor flat", "@Flatten");
    Expect.that(compilation).only(0, 1);
  }

  @Test
  void attentionCarriesTheQuerysMaskAndNotTheValues() {
    JavaFileObject source = tokens("Attention",
        "  @MultiHeadAttention(numHeads = 2, keyDim = 2) Tensor self(Tensor embedded);",
        "  @Flatten Tensor flatSelf(Tensor self);",
        "  @Input(shape = {3, 4}) Tensor query();",
        "  @MultiHeadAttention(numHeads = 1, keyDim = 2) Tensor read(Tensor query, Tensor embedded);",
        "  @Flatten Tensor flatRead(Tensor read);",
        "  @Concatenate Tensor both(Tensor flatSelf, Tensor flatRead);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor both);");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation).warning(Tag.MASK_DROPPED, "flatSelf is a Flatten layer, which"
            + " ignores masks, but its input self carries the mask of padded steps made by"
            + " embedded")
        .on(source, "Tensor flatSelf(", "@Flatten");
    Expect.that(compilation).only(0, 1);
  }

  @Test
  void maskZeroWithATokenOfPaddingOnly() {
    JavaFileObject source = Sources.model("Padding",
        "@Model interface Padding {",
        "  @Input(shape = 6, dtype = DType.INT32) Tensor tokens();",
        "  @Embedding(inputDim = 1, outputDim = 4, maskZero = true) Tensor embedded(Tensor tokens);",
        "  @GlobalAveragePooling1D Tensor pooled(Tensor embedded);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor pooled);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation).error(Tag.BAD_ATTRIBUTE, "inputDim = 1 on embedded with maskZero"
            + " = true: token 0 is padding, so no token would be data; with maskZero, inputDim is"
            + " the vocabulary size plus one")
        .on(source, "inputDim = 1", "1");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void maskZeroOnTokensWithoutASteps() {
    JavaFileObject source = Sources.model("Grid",
        "@Model interface Grid {",
        "  @Input(shape = {4, 4}, dtype = DType.INT32) Tensor tokens();",
        "  @Embedding(inputDim = 9, outputDim = 2, maskZero = true) Tensor embedded(Tensor tokens);",
        "  @Flatten Tensor flat(Tensor embedded);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation).error(Tag.UNSUPPORTED, "embedded has maskZero = true, but its input"
            + " (None, 4, 4) from tokens is not a sequence of token ids (steps); Kiln masks the"
            + " steps of sequences only")
        .on(source, "maskZero = true", "true");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void maskZeroUnderTimeDistributed() {
    JavaFileObject source = Sources.model("Clips",
        "@Model interface Clips {",
        "  @Input(shape = {3, 4}, dtype = DType.INT32) Tensor tokens();",
        "  @TimeDistributed @Embedding(inputDim = 9, outputDim = 2, maskZero = true)",
        "  Tensor embedded(Tensor tokens);",
        "  @Flatten Tensor flat(Tensor embedded);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation).error(Tag.UNSUPPORTED, "embedded has maskZero = true under"
            + " @TimeDistributed, where each step's tokens are embedded apart; Kiln masks the"
            + " steps of a sequence of token ids (steps) only")
        .on(source, "maskZero = true", "true");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void maskingAVector() {
    JavaFileObject source = Sources.model("Vector",
        "@Model interface Vector {",
        "  @Input(shape = 6) Tensor features();",
        "  @Masking Tensor masked(Tensor features);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor masked);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation).error(Tag.SHAPE_MISMATCH, "masked masks the steps of a sequence"
            + " (steps, features), but its input (None, 6) from features has no steps axis")
        .on(source, "Tensor masked(Tensor features)", "features)");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void maskingImages() {
    JavaFileObject source = Sources.model("Images",
        "@Model interface Images {",
        "  @Input(shape = {4, 4, 2}) Tensor image();",
        "  @Masking Tensor masked(Tensor image);",
        "  @Flatten Tensor flat(Tensor masked);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation).error(Tag.UNSUPPORTED, "masked masks the steps of a sequence"
            + " (steps, features), but its input is (None, 4, 4, 2) from image; Kiln masks"
            + " sequences only")
        .on(source, "Tensor masked(Tensor image)", "image)");
    Expect.that(compilation).only(1, 0);
  }
}
