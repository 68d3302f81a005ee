package dev.kiln.examples;

import static dev.kiln.examples.FuzzShapes.ints;
import static dev.kiln.examples.FuzzShapes.window;

import dev.kiln.examples.RandomValidModels.Kind;
import java.util.List;

/**
 * The differential fuzz's image kinds (Conv2D, Conv2DTranspose, the 2-D poolings and up-sampling,
 * Cropping2D, ZeroPadding2D), each with Keras' rules for its output shape and weights, drawn with
 * the generator's random stream.
 */
final class RandomImageKinds {

  private final RandomValidModels random;

  RandomImageKinds(RandomValidModels random) {
    this.random = random;
  }

  Kind convolution() {
    int filters = random.between(1, 4);
    int[] size = {random.between(1, 3), random.between(1, 3)};
    if (random.chance(0.5)) {
      size[1] = size[0];
    }
    boolean dilated = random.chance(0.25);
    int[] strides =
        dilated ? new int[] {1, 1} : new int[] {random.between(1, 2), random.between(1, 2)};
    int[] dilation = dilated ? new int[] {random.between(1, 2), 2} : new int[] {1, 1};
    if (random.chance(0.5)) {
      dilation[0] = dilation[1];
      strides[1] = strides[0];
    }
    boolean same = random.chance(0.5);
    String activation = random.activation(filters);
    boolean bias = random.chance(0.85);
    String attributes =
        "filters = "
            + filters
            + ", kernelSize = "
            + random.pair(size)
            + (strides[0] * strides[1] > 1 || random.chance(0.2)
                ? ", strides = " + random.pair(strides)
                : "")
            + (dilated ? ", dilationRate = " + random.pair(dilation) : "")
            + (same ? ", padding = SAME" : random.chance(0.3) ? ", padding = VALID" : "")
            + (activation.equals("LINEAR") ? "" : ", activation = " + activation)
            + (bias ? "" : ", useBias = false")
            + random.initializers(bias);
    return new Kind(
        "@Conv2D(" + attributes + ")",
        "Conv2D",
        in -> {
          int[] image = in.get(0);
          if (image.length != 3) {
            return null;
          }
          int rows = window(image[0], size[0], strides[0], dilation[0], same);
          int columns = window(image[1], size[1], strides[1], dilation[1], same);
          return rows < 1 || columns < 1 ? null : new int[] {rows, columns, filters};
        },
        in -> convolutionWeights(size[0] * size[1], in.get(0)[2], filters, bias),
        activation);
  }

  Kind transposedConvolution() {
    int filters = random.between(1, 3);
    int[] size = {random.between(1, 3), random.between(1, 3)};
    boolean dilated = random.chance(0.2);
    int[] strides =
        dilated ? new int[] {1, 1} : new int[] {random.between(1, 2), random.between(1, 2)};
    int[] dilation = dilated ? new int[] {2, random.between(1, 2)} : new int[] {1, 1};
    boolean same = random.chance(0.5);
    String activation = random.activation(filters);
    boolean bias = random.chance(0.85);
    String attributes =
        "filters = "
            + filters
            + ", kernelSize = "
            + random.pair(size)
            + (strides[0] * strides[1] > 1 ? ", strides = " + random.pair(strides) : "")
            + (dilated ? ", dilationRate = " + random.pair(dilation) : "")
            + (same ? ", padding = SAME" : "")
            + (activation.equals("LINEAR") ? "" : ", activation = " + activation)
            + (bias ? "" : ", useBias = false")
            + random.initializers(bias);
    return new Kind(
        "@Conv2DTranspose(" + attributes + ")",
        "Conv2DTranspose",
        in -> {
          int[] image = in.get(0);
          if (image.length != 3) {
            return null;
          }
          int[] out = new int[] {0, 0, filters};
          for (int axis = 0; axis < 2; axis++) {
            int extent = (size[axis] - 1) * dilation[axis] + 1;
            // Keras' deconv_output_length without output padding.
            out[axis] =
                same
                    ? image[axis] * strides[axis]
                    : image[axis] * strides[axis] + Math.max(extent - strides[axis], 0);
          }
          return out;
        },
        // Keras' transposed kernel is (rows, columns, filters, channels).
        in -> convolutionWeights(size[0] * size[1], in.get(0)[2], filters, bias),
        activation);
  }

  static List<long[]> convolutionWeights(int taps, int channels, int filters, boolean bias) {
    long[] kernel = {taps, channels, filters};
    return bias ? List.of(kernel, new long[] {filters}) : List.of(kernel);
  }

  Kind pooling() {
    boolean max = random.chance(0.5);
    int[] size = {random.between(1, 3), random.between(1, 3)};
    if (random.chance(0.5)) {
      size[1] = size[0];
    }
    boolean defaultStrides = random.chance(0.5);
    int[] strides = defaultStrides ? size : new int[] {random.between(1, 2), random.between(1, 2)};
    boolean same = random.chance(0.4);
    String attributes =
        (size[0] == 2 && size[1] == 2 && random.chance(0.5)
                ? ""
                : "poolSize = " + random.pair(size))
            + (defaultStrides ? "" : ", strides = " + random.pair(strides))
            + (same ? ", padding = SAME" : "");
    attributes = attributes.startsWith(", ") ? attributes.substring(2) : attributes;
    String annotation = max ? "MaxPooling2D" : "AveragePooling2D";
    return new Kind(
        "@" + annotation + (attributes.isEmpty() ? "" : "(" + attributes + ")"),
        annotation,
        in -> {
          int[] image = in.get(0);
          if (image.length != 3) {
            return null;
          }
          int rows = window(image[0], size[0], strides[0], 1, same);
          int columns = window(image[1], size[1], strides[1], 1, same);
          return rows < 1 || columns < 1 ? null : new int[] {rows, columns, image[2]};
        });
  }

  Kind globalPooling() {
    String annotation = random.chance(0.5) ? "GlobalAveragePooling2D" : "GlobalMaxPooling2D";
    return new Kind(
        "@" + annotation,
        annotation,
        in -> in.get(0).length == 3 ? new int[] {in.get(0)[2]} : null);
  }

  Kind upSampling() {
    int[] size = {random.between(1, 2), random.between(1, 2)};
    boolean defaults = size[0] == 2 && size[1] == 2 && random.chance(0.5);
    return new Kind(
        defaults ? "@UpSampling2D" : "@UpSampling2D(size = " + random.pair(size) + ")",
        "UpSampling2D",
        in ->
            in.get(0).length == 3
                ? new int[] {in.get(0)[0] * size[0], in.get(0)[1] * size[1], in.get(0)[2]}
                : null);
  }

  /** Cropping2D or ZeroPadding2D, with one, two or four sizes. */
  Kind border() {
    boolean crop = random.chance(0.5);
    int limit = crop ? 1 : 2;
    int[] written =
        switch (random.nextInt(3)) {
          case 0 -> new int[] {random.between(0, limit)};
          case 1 -> new int[] {random.between(0, limit), random.between(0, limit)};
          default ->
              new int[] {
                random.between(0, limit),
                random.between(0, limit),
                random.between(0, limit),
                random.between(0, limit)
              };
        };
    return border(crop, written);
  }

  Kind border(boolean crop, int[] written) {
    int[] sides =
        switch (written.length) {
          case 1 -> new int[] {written[0], written[0], written[0], written[0]};
          case 2 -> new int[] {written[0], written[0], written[1], written[1]};
          default -> written;
        };
    int sign = crop ? -1 : 1;
    String annotation = crop ? "Cropping2D" : "ZeroPadding2D";
    String attribute = crop ? "cropping" : "padding";
    return new Kind(
        "@" + annotation + "(" + attribute + " = " + ints(written) + ")",
        annotation,
        in -> {
          int[] image = in.get(0);
          if (image.length != 3) {
            return null;
          }
          int rows = image[0] + sign * (sides[0] + sides[1]);
          int columns = image[1] + sign * (sides[2] + sides[3]);
          return rows < 1 || columns < 1 ? null : new int[] {rows, columns, image[2]};
        });
  }
}
