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
 * Sliding windows along the steps of a sequence {@code (steps, channels)}: the attributes of
 * {@code @Conv1D} and the 1-D poolings ({@code kernelSize} or {@code poolSize}, {@code strides},
 * {@code dilationRate}, {@code padding}) and the output length as Keras computes it.
 */
final class SequenceWindows {

  static final ClassName WINDOW = Runtime.kernel("SequenceWindow");

  private SequenceWindows() {}

  /**
   * Checks size, strides and dilation (each at least 1, a pooling's strides one value or none),
   * no dilation together with strides, and causal padding only where {@code causalAllowed}.
   */
  static void checkAttributes(LayerDecl layer, boolean causalAllowed, Report.Builder report) {
    boolean fine = checkAtLeastOne(layer, sizeAttribute(layer), report);
    if (layer.attributes().has("poolSize")) {
      int[] strides = layer.attributes().intArray("strides");
      if (strides.length > 1) {
        Attrs.bad(layer, "strides", "strides of " + layer.name() + " has " + strides.length
            + " values, but a sequence has one axis to step along; write strides = 2, or leave"
            + " it out to step by the pool size", report);
        fine = false;
      } else if (strides.length == 1 && strides[0] < 1) {
        Attrs.bad(layer, "strides", "strides = " + strides[0] + " on " + layer.name()
            + ", but each value must be at least 1; use 1 or more", report);
        fine = false;
      }
    } else {
      fine &= checkAtLeastOne(layer, "strides", report);
    }
    if (layer.attributes().has("dilationRate")) {
      boolean dilation = checkAtLeastOne(layer, "dilationRate", report);
      if (fine && dilation && stride(layer) > 1 && dilation(layer) > 1) {
        Attrs.bad(layer, "dilationRate", layer.name() + " has dilationRate = " + dilation(layer)
            + " and strides = " + stride(layer) + ", but a window can be dilated or strided, not"
            + " both (Keras raises the same); keep one of them at 1", report);
      }
    }
    if (!causalAllowed && padding(layer) == Padding.CAUSAL) {
      Attrs.bad(layer, "padding", "padding = CAUSAL on " + layer.name() + ", but causal"
          + " padding belongs to @Conv1D, which reads only past steps; "
          + Words.aLayer(layer.kind()) + " takes VALID or SAME", report);
    }
  }

  private static boolean checkAtLeastOne(LayerDecl layer, String attribute, Report.Builder report) {
    int value = layer.attributes().intValue(attribute);
    if (value < 1) {
      Attrs.bad(layer, attribute, attribute + " = " + value + " on " + layer.name()
          + ", but it must be at least 1; use 1 or more", report);
      return false;
    }
    return true;
  }

  /**
   * Whether the layer's input is a sequence (steps, channels) with a known number of channels;
   * reports with a fix when it is not.
   */
  static boolean isSequence(ShapeContext context) {
    LayerDecl layer = context.layer();
    Shape input = context.inputs().get(0);
    if (input.rank() != 2) {
      String fix = input.rank() == 1
          ? "give it a channels axis, such as @Input(shape = {" + input.dim(0) + ", 1})"
          : input.rank() == 3
              ? "use the 2-D layer for images, or @TimeDistributed to read each row as a sequence"
              : "@Reshape it to (steps, channels) first";
      context.errorAtInput(0, layer.name() + " is " + Words.aLayer(layer.kind())
          + ", which reads sequences (steps, channels), but its input is "
          + context.describeInput(0) + "; " + fix);
      return false;
    }
    if (input.dim(1) == Shape.VARIABLE) {
      context.errorAtInput(0, layer.name() + " needs a known number of channels, but its input"
          + " is " + context.describeInput(0) + "; give the channels axis a size");
      return false;
    }
    return true;
  }

  /**
   * The output length of the layer's window over its sequence input, or {@link
   * Shape#VARIABLE}; below 1 after reporting a window that does not fit (or a variable length
   * it would change).
   */
  static int outputSteps(ShapeContext context) {
    LayerDecl layer = context.layer();
    int steps = context.inputs().get(0).dim(0);
    int size = layer.attributes().intValue(sizeAttribute(layer));
    int stride = stride(layer);
    int dilation = dilation(layer);
    Padding padding = padding(layer);
    long extent = Windows.wideExtent(size, dilation);
    if (steps == Shape.VARIABLE) {
      if (stride == 1 && (padding != Padding.VALID || extent == 1)) {
        return Shape.VARIABLE;
      }
      context.error(Tag.UNSUPPORTED, layer.name() + " would change the length of its input "
          + context.describeInput(0) + ", whose steps vary; Kiln sizes every sequence buffer"
          + " with the input's one length, so give the input's steps a size, or keep the length"
          + " with strides = 1 and padding = " + (layer.attributes().has("poolSize")
              ? "SAME" : "SAME or CAUSAL"), padding == Padding.VALID ? "padding" : "strides");
      return 0;
    }
    // Causal padding adds extent - 1 zeros in front, after which the window is a valid one.
    long length = padding == Padding.VALID
        ? Math.floorDiv((long) steps - extent, (long) stride) + 1
        : ((long) steps + stride - 1) / stride;
    if (length < 1) {
      context.error(layer.name() + "'s window spans " + extent + " steps (" + sizeAttribute(layer)
          + " " + size + (dilation > 1 ? ", dilationRate " + dilation : "") + "), more than its"
          + " input " + context.describeInput(0) + " has; use padding = SAME"
          + (layer.attributes().has("poolSize") ? "" : " or CAUSAL") + ", or a smaller "
          + sizeAttribute(layer), sizeAttribute(layer));
      return 0;
    }
    return (int) length;
  }

  /** The constant describing the layer's window: {@code SequenceWindow.causal(3, 1).dilated(2)}. */
  static CodeBlock window(LayerDecl layer) {
    CodeBlock window = CodeBlock.of("$T.$L($L, $L)", WINDOW,
        padding(layer).name().toLowerCase(java.util.Locale.ROOT),
        layer.attributes().intValue(sizeAttribute(layer)), stride(layer));
    return dilation(layer) == 1 ? window : CodeBlock.of("$L.dilated($L)", window, dilation(layer));
  }

  /** {@code poolSize} for poolings, {@code kernelSize} for convolutions. */
  static String sizeAttribute(LayerDecl layer) {
    return layer.attributes().has("poolSize") ? "poolSize" : "kernelSize";
  }

  /** The stride; for poolings no value means the pool size, as in Keras. */
  static int stride(LayerDecl layer) {
    if (layer.attributes().has("poolSize")) {
      int[] strides = layer.attributes().intArray("strides");
      return strides.length == 0 ? layer.attributes().intValue("poolSize") : strides[0];
    }
    return layer.attributes().intValue("strides");
  }

  static int dilation(LayerDecl layer) {
    return layer.attributes().has("dilationRate") ? layer.attributes().intValue("dilationRate") : 1;
  }

  static Padding padding(LayerDecl layer) {
    return layer.attributes().enumValue("padding", Padding.class);
  }
}
