package dev.kiln.examples;

import static dev.kiln.examples.FuzzShapes.VARIABLE;
import static dev.kiln.examples.RandomImageKinds.convolutionWeights;
import static dev.kiln.examples.FuzzShapes.window;

import dev.kiln.examples.RandomValidModels.Kind;
import java.util.List;

/**
 * The differential fuzz's 1-D layer kinds (Conv1D, the 1-D poolings, global poolings,
 * UpSampling1D) and depthwise kinds (DepthwiseConv2D, SeparableConv2D), each with Keras' rules for
 * its output shape and weights, drawn with the generator's random stream.
 *
 * <p>On a sequence whose steps vary, a kind that would change the length has no shape here (Kiln
 * refuses it), so the generator draws another.
 */
final class RandomConvKinds {

  private final RandomValidModels random;

  RandomConvKinds(RandomValidModels random) {
    this.random = random;
  }

  /** Whether {@code in} is a sequence (steps, channels) with known channels. */
  private static boolean isSequence(int[] in) {
    return in.length == 2 && in[1] > 0;
  }

  /** Keras' output length, or -1 for a variable length it keeps, or 0 where it does not apply. */
  private static int steps(int in, int size, int stride, int dilation, String padding) {
    if (in == VARIABLE) {
      boolean keeps = stride == 1 && (!padding.equals("VALID") || size == 1);
      return keeps ? VARIABLE : 0;
    }
    // Causal padding adds (extent - 1) zeros before the first step: same's length.
    return Math.max(window(in, size, stride, dilation, !padding.equals("VALID")), 0);
  }

  Kind conv1d() {
    int filters = random.between(1, 4);
    int size = random.between(1, 3);
    boolean dilated = random.chance(0.25);
    int stride = dilated ? 1 : random.between(1, 2);
    int dilation = dilated ? 2 : 1;
    String padding = random.pick(List.of("VALID", "SAME", "CAUSAL"));
    String activation = random.activation(filters);
    boolean bias = random.chance(0.85);
    String attributes = "filters = " + filters + ", kernelSize = " + size
        + (stride > 1 || random.chance(0.2) ? ", strides = " + stride : "")
        + (dilated ? ", dilationRate = " + dilation : "")
        + (padding.equals("VALID") && random.chance(0.6) ? "" : ", padding = " + padding)
        + (activation.equals("LINEAR") ? "" : ", activation = " + activation)
        + (bias ? "" : ", useBias = false")
        + random.initializers(bias);
    return new Kind("@Conv1D(" + attributes + ")", "Conv1D",
        in -> {
          if (!isSequence(in.get(0))) {
            return null;
          }
          int steps = steps(in.get(0)[0], size, stride, dilation, padding);
          return steps == 0 ? null : new int[] {steps, filters};
        },
        in -> convolutionWeights(size, in.get(0)[1], filters, bias),
        activation);
  }

  Kind pooling1d() {
    String annotation = random.chance(0.5) ? "MaxPooling1D" : "AveragePooling1D";
    int size = random.between(1, 3);
    boolean defaultStrides = random.chance(0.5);
    int stride = defaultStrides ? size : random.between(1, 2);
    boolean same = random.chance(0.4);
    String attributes = (size == 2 && random.chance(0.5) ? "" : ", poolSize = " + size)
        + (defaultStrides ? "" : ", strides = " + stride)
        + (same ? ", padding = SAME" : "");
    return new Kind(
        "@" + annotation + (attributes.isEmpty() ? "" : "(" + attributes.substring(2) + ")"),
        annotation,
        in -> {
          if (!isSequence(in.get(0))) {
            return null;
          }
          int steps = steps(in.get(0)[0], size, stride, 1, same ? "SAME" : "VALID");
          return steps == 0 ? null : new int[] {steps, in.get(0)[1]};
        });
  }

  Kind globalPooling1d() {
    String annotation = random.chance(0.5) ? "GlobalAveragePooling1D" : "GlobalMaxPooling1D";
    return new Kind("@" + annotation, annotation,
        in -> isSequence(in.get(0)) ? new int[] {in.get(0)[1]} : null);
  }

  Kind upSampling1d() {
    int size = random.between(1, 3);
    boolean written = size != 2 || random.chance(0.5);
    return new Kind(written ? "@UpSampling1D(size = " + size + ")" : "@UpSampling1D",
        "UpSampling1D",
        in -> {
          int[] sequence = in.get(0);
          if (!isSequence(sequence) || (sequence[0] == VARIABLE && size > 1)) {
            return null;
          }
          return new int[] {sequence[0] == VARIABLE ? VARIABLE : sequence[0] * size, sequence[1]};
        });
  }

  Kind depthwise() {
    return depthwiseOrSeparable(false);
  }

  Kind separable() {
    return depthwiseOrSeparable(true);
  }

  /** A DepthwiseConv2D or, with {@code separable}, a SeparableConv2D. */
  private Kind depthwiseOrSeparable(boolean separable) {
    int filters = random.between(1, 3);
    int multiplier = random.chance(0.6) ? 1 : 2;
    int[] size = {random.between(1, 3), random.between(1, 3)};
    if (random.chance(0.5)) {
      size[1] = size[0];
    }
    boolean dilated = random.chance(0.25);
    int[] strides = dilated ? new int[] {1, 1} : new int[] {random.between(1, 2), random.between(1, 2)};
    int[] dilation = dilated ? new int[] {random.between(1, 2), 2} : new int[] {1, 1};
    boolean same = random.chance(0.5);
    boolean bias = random.chance(0.85);
    // A depthwise layer's channels are unknown here: 1 keeps softmax, constant over one, out.
    String activation = random.activation(separable ? filters : 1);
    String annotation = separable ? "SeparableConv2D" : "DepthwiseConv2D";
    String attributes = (separable ? "filters = " + filters + ", " : "")
        + "kernelSize = " + random.pair(size)
        + (strides[0] * strides[1] > 1 ? ", strides = " + random.pair(strides) : "")
        + (dilated ? ", dilationRate = " + random.pair(dilation) : "")
        + (multiplier > 1 || random.chance(0.2) ? ", depthMultiplier = " + multiplier : "")
        + (same ? ", padding = SAME" : "")
        + (activation.equals("LINEAR") ? "" : ", activation = " + activation)
        + (bias ? "" : ", useBias = false")
        + (random.chance(0.25) ? ", depthwiseInitializer = "
            + random.pick(RandomValidModels.KERNEL_INITIALIZERS) : "")
        + (separable && random.chance(0.25) ? ", pointwiseInitializer = "
            + random.pick(RandomValidModels.KERNEL_INITIALIZERS) : "");
    return new Kind("@" + annotation + "(" + attributes + ")", annotation,
        in -> {
          int[] image = in.get(0);
          if (image.length != 3) {
            return null;
          }
          int rows = window(image[0], size[0], strides[0], dilation[0], same);
          int columns = window(image[1], size[1], strides[1], dilation[1], same);
          return rows < 1 || columns < 1
              ? null
              : new int[] {rows, columns, separable ? filters : image[2] * multiplier};
        },
        in -> {
          int channels = in.get(0)[2];
          long[] depthwiseKernel = {size[0] * size[1], channels, multiplier};
          long mixed = (long) channels * multiplier;
          if (!separable) {
            return bias ? List.of(depthwiseKernel, new long[] {mixed}) : List.of(depthwiseKernel);
          }
          long[] pointwiseKernel = {mixed, filters};
          return bias
              ? List.of(depthwiseKernel, pointwiseKernel, new long[] {filters})
              : List.of(depthwiseKernel, pointwiseKernel);
        },
        activation);
  }
}
