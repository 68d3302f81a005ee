package dev.kiln.processor.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.kiln.Padding;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.check.Tag;
import dev.kiln.processor.emit.Runtime;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Shape;

/**
 * Sliding windows of convolutions and poolings: their attributes ({@code kernelSize} or {@code
 * poolSize}, {@code strides}, {@code dilationRate}, {@code padding}) and output sizes as Keras
 * (TensorFlow) computes them.
 */
final class Windows {

  static final ClassName WINDOW = Runtime.kernel("Window");

  private Windows() {}

  /**
   * Checks the window's size, strides and dilation: one or two values each, at least 1, and, as
   * Keras requires, no dilation together with strides; and a padding other than Conv1D's causal.
   */
  static void checkAttributes(LayerDecl layer, Report.Builder report) {
    if (padding(layer) == Padding.CAUSAL) {
      Attrs.bad(layer, "padding", "padding = CAUSAL on " + layer.name() + ", but causal padding"
          + " belongs to @Conv1D, which reads only past steps of a sequence; "
          + Words.aLayer(layer.kind()) + " takes VALID or SAME", report);
    }
    Attrs.checkPair(layer, sizeAttribute(layer), 1, report);
    boolean poolingDefault =
        layer.attributes().has("poolSize") && layer.attributes().intArray("strides").length == 0;
    boolean strides = poolingDefault || Attrs.checkPair(layer, "strides", 1, report);
    if (!layer.attributes().has("dilationRate")
        || !Attrs.checkPair(layer, "dilationRate", 1, report)
        || !strides) {
      return;
    }
    int[] stride = strides(layer);
    int[] dilation = dilation(layer);
    if (Math.max(stride[0], stride[1]) > 1 && Math.max(dilation[0], dilation[1]) > 1) {
      Attrs.bad(layer, "dilationRate", layer.name() + " has dilationRate = "
          + java.util.Arrays.toString(dilation) + " and strides = "
          + java.util.Arrays.toString(stride) + ", but a window can be dilated or strided, not"
          + " both (Keras raises the same); keep one of them at 1", report);
    }
  }

  /**
   * Whether the layer's input is an image (rows, columns, channels); reports with a fix when it
   * is not.
   */
  static boolean isImage(ShapeContext context) {
    Shape input = context.inputs().get(0);
    if (input.rank() == 3) {
      return true;
    }
    String fix = input.rank() < 3 ? "add @Reshape to give it rows, columns and channels"
        : input.rank() == 4 ? "apply the layer to each step with @TimeDistributed"
        : "@Reshape it to (rows, columns, channels) first";
    context.errorAtInput(0, context.layer().name() + " is " + Words.aLayer(context.layer().kind())
        + ", which expects images (rows, columns, channels), but its input is "
        + context.describeInput(0) + "; " + fix);
    return false;
  }

  /** The output image of a window over an image input, or null after reporting why not. */
  static Shape outputImage(ShapeContext context, int channels) {
    LayerDecl layer = context.layer();
    Shape input = context.inputs().get(0);
    if (!isImage(context)) {
      return null;
    }
    int[] size = size(layer);
    int[] strides = strides(layer);
    int[] dilation = dilation(layer);
    Padding padding = padding(layer);
    for (int axis = 0; axis < 2; axis++) {
      long reach = paddedLength(input.dim(axis), size[axis], strides[axis], dilation[axis]);
      if (padding == Padding.SAME && reach > Integer.MAX_VALUE) {
        context.error(Tag.TOO_LARGE, layer.name() + "'s window spans " + wideExtent(size[axis],
            dilation[axis]) + " " + (axis == 0 ? "rows" : "columns") + " (" + sizeAttribute(layer)
            + " " + size[axis] + ", dilationRate " + dilation[axis] + "), so padding its input "
            + context.describeInput(0) + " the same way would make " + reach + ", more than"
            + " the " + Integer.MAX_VALUE + " an axis can hold; use a smaller dilationRate",
            layer.attributes().has("dilationRate") ? "dilationRate" : sizeAttribute(layer));
        return null;
      }
    }
    int rows = outputLength(input.dim(0), size[0], strides[0], dilation[0], padding);
    int columns = outputLength(input.dim(1), size[1], strides[1], dilation[1], padding);
    if (rows < 1 || columns < 1) {
      context.error(layer.name() + "'s " + wideExtent(size[0], dilation[0]) + "x"
          + wideExtent(size[1], dilation[1]) + " window does not fit in its input "
          + context.describeInput(0) + "; use padding = SAME or a smaller " + sizeAttribute(layer),
          sizeAttribute(layer));
      return null;
    }
    return Shape.of(rows, columns, channels);
  }

  /** The constant describing the layer's window: {@code Window.valid(4, 4, 1, 1)}. */
  static CodeBlock window(LayerDecl layer) {
    int[] size = size(layer);
    int[] strides = strides(layer);
    int[] dilation = dilation(layer);
    CodeBlock window = CodeBlock.of("$T.$L($L, $L, $L, $L)", WINDOW,
        padding(layer) == Padding.SAME ? "same" : "valid", size[0], size[1], strides[0], strides[1]);
    return dilation[0] == 1 && dilation[1] == 1
        ? window
        : CodeBlock.of("$L.dilated($L, $L)", window, dilation[0], dilation[1]);
  }

  /** {@code poolSize} for poolings, {@code kernelSize} for convolutions. */
  static String sizeAttribute(LayerDecl layer) {
    return layer.attributes().has("poolSize") ? "poolSize" : "kernelSize";
  }

  static int[] size(LayerDecl layer) {
    return Attrs.pair(layer, sizeAttribute(layer));
  }

  /** The strides; for poolings an empty value means the pool size, as in Keras. */
  static int[] strides(LayerDecl layer) {
    return layer.attributes().intArray("strides").length == 0
        ? size(layer)
        : Attrs.pair(layer, "strides");
  }

  static int[] dilation(LayerDecl layer) {
    return layer.attributes().has("dilationRate")
        ? Attrs.pair(layer, "dilationRate")
        : new int[] {1, 1};
  }

  static Padding padding(LayerDecl layer) {
    return layer.attributes().enumValue("padding", Padding.class);
  }

  /** The extent of a dilated window, in a long: it cannot overflow. */
  static long wideExtent(int size, int dilation) {
    return (long) (size - 1) * dilation + 1;
  }

  /**
   * The length SAME padding gives an input of {@code in} so that every window fits: the last
   * window's start plus its extent. In longs, so it cannot overflow.
   */
  static long paddedLength(int in, int size, int stride, int dilation) {
    long windows = in == Shape.VARIABLE ? 1 : ((long) in + stride - 1) / stride;
    return Math.max(in, (windows - 1) * stride + wideExtent(size, dilation));
  }

  /** The extent of a dilated window; throws {@link ArithmeticException} beyond an int. */
  static int extent(int size, int dilation) {
    return Math.addExact(Math.multiplyExact(size - 1, dilation), 1);
  }

  /** Output length of a window over {@code in}; below 1 when a VALID window does not fit. */
  static int outputLength(int in, int size, int stride, int dilation, Padding padding) {
    if (in == Shape.VARIABLE) {
      return Shape.VARIABLE;
    }
    // In longs: in + stride, or in - extent, may pass an int's range though the result cannot.
    long length = padding == Padding.SAME
        ? ((long) in + stride - 1) / stride
        : Math.floorDiv((long) in - wideExtent(size, dilation), (long) stride) + 1;
    return (int) Math.max(length, 0);
  }
}
