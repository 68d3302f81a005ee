package dev.kiln.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
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
        .hadErrorContaining("both concatenates on axis 0, but its inputs have 2 axes with the"
            + " batch axis 0; use an axis from 1 to 1 or -1 for the last")
        .inFile(source)
        .onLineContaining("axis = 0");
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
        .hadErrorContaining("grid reshapes (None, 10) from a (10 values) to [3, 3]; the number of"
            + " values must stay the same")
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
}
