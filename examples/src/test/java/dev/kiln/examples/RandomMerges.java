package dev.kiln.examples;

import static dev.kiln.examples.FuzzShapes.VARIABLE;
import static dev.kiln.examples.FuzzShapes.concatenated;
import static dev.kiln.examples.FuzzShapes.ints;
import static dev.kiln.examples.FuzzShapes.isFixed;
import static dev.kiln.examples.FuzzShapes.last;
import static dev.kiln.examples.FuzzShapes.matches;
import static dev.kiln.examples.FuzzShapes.product;
import static dev.kiln.examples.FuzzShapes.withLast;

import dev.kiln.examples.RandomValidModels.Kind;
import dev.kiln.examples.RandomValidModels.Layer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The differential fuzz's merges (Add, Multiply, Concatenate, Subtract, Average, Maximum, Minimum,
 * Dot, cross-attention) of a tensor with others of fitting shapes, and the layers that make a
 * tensor fit a shape where none does.
 */
final class RandomMerges {

  private final RandomValidModels generator;

  RandomMerges(RandomValidModels generator) {
    this.generator = generator;
  }

  /**
   * Add, Multiply or Concatenate of a tensor with one or two others of fitting shapes: existing
   * tensors where some fit, else tensors made to fit from another tensor or from the first one (a
   * diamond, or a residual connection).
   */
  boolean merge() {
    Layer first = generator.source();
    if (first.shape.length == 2 && first.shape[1] > 0 && generator.chance(0.3)) {
      return crossAttention(first);
    }
    String kind =
        generator.pick(
            List.of(
                "Add",
                "Add",
                "Multiply",
                "Concatenate",
                "Concatenate",
                "Subtract",
                "Average",
                "Maximum",
                "Minimum",
                "Dot",
                "Dot"));
    if (kind.equals("Dot")) {
      return dot(first);
    }
    int[] shape = first.shape;
    int axis = -1;
    String axisText = "";
    if (kind.equals("Concatenate")) {
      List<Integer> axes = new ArrayList<>();
      for (int i = 0; i < shape.length; i++) {
        if (shape[i] != VARIABLE) {
          axes.add(i);
        }
      }
      if (axes.isEmpty()) {
        return false;
      }
      axis = generator.pick(axes);
      // Keras counts the batch axis: axis i of a sample is i + 1, or i - rank from the end.
      axisText =
          axis == shape.length - 1 && generator.chance(0.6)
              ? ""
              : generator.chance(0.5) ? "axis = " + (axis + 1) : "axis = " + (axis - shape.length);
    }
    List<Layer> parts = new ArrayList<>();
    parts.add(first);
    int others = generator.chance(0.75) || kind.equals("Subtract") ? 1 : 2;
    for (int i = 0; i < others; i++) {
      Layer other = fitting(first, shape, axis, kind.equals("Concatenate"));
      if (other == null) {
        return false;
      }
      parts.add(other);
    }
    Collections.shuffle(parts, generator.random());
    int freeAxis = axis;
    boolean concatenate = kind.equals("Concatenate");
    Kind merge =
        new Kind(
            "@" + kind + (axisText.isEmpty() ? "" : "(" + axisText + ")"),
            kind,
            in -> concatenate ? concatenated(in, freeAxis) : in.get(0));
    Layer merged = generator.add(merge, parts);
    if (merged != null && kind.equals("Add") && parts.size() == 2 && generator.chance(0.5)) {
      // A residual's add and norm, which the step computes in one pass each way.
      generator.add(generator.featureKinds.layerNormalization(merged.shape), List.of(merged));
    }
    return merged != null;
  }

  /**
   * Cross-attention from {@code query}, a sequence, to a value of its features (itself among them:
   * one tensor read twice) and, sometimes, a key of the value's steps.
   */
  private boolean crossAttention(Layer query) {
    List<Layer> values =
        generator.floats().stream()
            .filter(layer -> layer.shape.length == 2 && layer.shape[1] == query.shape[1])
            .toList();
    Layer value = generator.pick(values);
    List<Layer> parts = new ArrayList<>(List.of(query, value));
    if (generator.chance(0.4)) {
      List<Layer> keys =
          generator.floats().stream()
              .filter(
                  layer ->
                      layer.shape.length == 2
                          && layer.shape[1] > 0
                          && layer.shape[0] == value.shape[0])
              .toList();
      parts.add(generator.pick(keys));
    }
    return generator.add(generator.sequenceKinds.attention(parts.size()), parts) != null;
  }

  /**
   * Keras' Dot of {@code first} (a vector or a matrix per sample) with a tensor whose contracted
   * axis has the same size: an existing one or one made to fit. The output is {@code first}'s other
   * axis, then the second's, or {@code (1)} for two vectors.
   */
  private boolean dot(Layer first) {
    int[] shape = first.shape;
    if (shape.length > 2 || !isFixed(shape)) {
      return false;
    }
    int axisA = shape.length == 1 ? 1 : generator.between(1, 2);
    int size = shape[axisA - 1];
    int[] target =
        generator.chance(0.4)
            ? new int[] {size}
            : generator.chance(0.5)
                ? new int[] {generator.between(1, 4), size}
                : new int[] {size, generator.between(1, 4)};
    int axisB =
        target.length == 1
            ? 1
            : target[1] == size && (target[0] != size || generator.chance(0.5)) ? 2 : 1;
    Layer second = fitting(first, target, -1, false);
    if (second == null || second.shape.length != target.length) {
      return false;
    }
    boolean normalize = generator.chance(0.4);
    // Keras' axes count the batch axis; written as one value when both agree, or from the end.
    // (A negative single value counts from each input's end, so only for inputs of one rank.)
    String axes =
        axisA == axisB && generator.chance(0.6)
            ? (generator.chance(0.5) || shape.length != target.length
                ? Integer.toString(axisA)
                : Integer.toString(axisA - 1 - shape.length))
            : "{" + axisA + ", " + axisB + "}";
    int a = axisA;
    int b = axisB;
    Kind dot =
        new Kind(
            "@Dot(axes = " + axes + (normalize ? ", normalize = true" : "") + ")",
            "Dot",
            in -> dotShape(in.get(0), in.get(1), a, b));
    return generator.add(dot, List.of(first, second)) != null;
  }

  private static int[] dotShape(int[] first, int[] second, int axisA, int axisB) {
    if (first.length > 2
        || second.length > 2
        || axisA > first.length
        || axisB > second.length
        || first[axisA - 1] != second[axisB - 1]) {
      return null;
    }
    List<Integer> dims = new ArrayList<>();
    for (int i = 0; i < first.length; i++) {
      if (i != axisA - 1) {
        dims.add(first[i]);
      }
    }
    for (int i = 0; i < second.length; i++) {
      if (i != axisB - 1) {
        dims.add(second[i]);
      }
    }
    return dims.isEmpty() ? new int[] {1} : dims.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * A tensor of {@code shape} (free on {@code axis} when {@code free}) to merge with {@code first}:
   * an existing one, {@code first} itself (read twice), or one made to fit.
   */
  private Layer fitting(Layer first, int[] shape, int axis, boolean free) {
    List<Layer> fitting =
        generator.floats().stream()
            .filter(layer -> layer != first && matches(layer.shape, shape, free ? axis : -2))
            .toList();
    int choice = generator.nextInt(10);
    if (!fitting.isEmpty() && choice < 5) {
      return generator.pick(fitting);
    }
    if (choice == 5) {
      return first;
    }
    int[] target = shape.clone();
    if (free) {
      target[axis] = generator.between(1, 4);
    }
    Layer from = generator.chance(0.4) ? first : generator.pick(generator.floats());
    return adapt(from, target);
  }

  /**
   * Layers turning {@code from} into a tensor of exactly {@code target}; returns the last of them,
   * or null where the generator knows no way.
   */
  Layer adapt(Layer from, int[] target) {
    int[] shape = from.shape;
    boolean variable = target[0] == VARIABLE;
    if (variable) {
      // Only a sequence of the same varying length fits: map its features.
      return shape.length == 2 && shape[0] == VARIABLE && shape[1] > 0
          ? generator.add(
              generator.chance(0.5) ? fixedDense(target[1]) : fixedRecurrent(target[1]),
              List.of(from))
          : null;
    }
    if (!isFixed(shape)) {
      return null;
    }
    if (target.length == 3 && shape.length == 3) {
      // Crop or pad to the rows and columns, then a convolution for the channels.
      Layer image = from;
      int rows = target[0] - shape[0];
      int columns = target[1] - shape[1];
      if (rows != 0 || columns != 0) {
        int[] sides = {0, 0, 0, 0};
        sides[0] = Math.abs(rows) / 2;
        sides[1] = Math.abs(rows) - sides[0];
        sides[2] = Math.abs(columns) / 2;
        sides[3] = Math.abs(columns) - sides[2];
        if ((rows < 0 && columns > 0) || (rows > 0 && columns < 0)) {
          Layer rowsFixed =
              generator.add(
                  generator.imageKinds.border(rows < 0, new int[] {sides[0], sides[1], 0, 0}),
                  List.of(image));
          image =
              rowsFixed == null
                  ? null
                  : generator.add(
                      generator.imageKinds.border(
                          columns < 0, new int[] {0, 0, sides[2], sides[3]}),
                      List.of(rowsFixed));
        } else {
          image =
              generator.add(
                  generator.imageKinds.border(rows < 0 || columns < 0, sides), List.of(image));
        }
        if (image == null) {
          return null;
        }
      }
      if (image.shape[2] == target[2] && image != from && generator.chance(0.5)) {
        return image;
      }
      int kernel = generator.pick(List.of(1, 1, 3));
      Kind convolution =
          new Kind(
              "@Conv2D(filters = "
                  + target[2]
                  + ", kernelSize = "
                  + kernel
                  + (kernel > 1 ? ", padding = SAME" : "")
                  + ")",
              "Conv2D",
              in ->
                  in.get(0).length == 3 ? new int[] {in.get(0)[0], in.get(0)[1], target[2]} : null,
              in ->
                  RandomImageKinds.convolutionWeights(
                      kernel * kernel, in.get(0)[2], target[2], true),
              "LINEAR");
      return generator.add(convolution, List.of(image));
    }
    if (target.length == 2 && shape.length == 2 && shape[0] == target[0]) {
      return generator.add(
          generator.chance(0.5) ? fixedDense(target[1]) : fixedRecurrent(target[1]), List.of(from));
    }
    // Any fixed tensor: flat, a Dense to the number of values, and reshaped.
    Layer flat =
        shape.length == 1 ? from : generator.add(generator.featureKinds.flatten(), List.of(from));
    if (flat == null) {
      return null;
    }
    int length = (int) product(target);
    Layer dense = generator.add(fixedDense(length), List.of(flat));
    if (dense == null || target.length == 1) {
      return dense;
    }
    int[] written = target.clone();
    Kind reshape =
        new Kind(
            "@Reshape(targetShape = " + ints(written) + ")",
            "Reshape",
            in -> product(in.get(0)) == length ? target : null);
    return generator.add(reshape, List.of(dense));
  }

  Kind fixedDense(int units) {
    String activation = generator.pick(List.of("LINEAR", "TANH", "SIGMOID", "RELU"));
    return new Kind(
        "@Dense(units = "
            + units
            + (activation.equals("LINEAR") ? "" : ", activation = " + activation)
            + ")",
        "Dense",
        in -> last(in.get(0)) > 0 ? withLast(in.get(0), units) : null,
        in -> List.of(new long[] {last(in.get(0)), units}, new long[] {units}),
        activation);
  }

  private Kind fixedRecurrent(int units) {
    String annotation = generator.pick(List.of("LSTM", "GRU", "SimpleRNN"));
    int gates = annotation.equals("LSTM") ? 4 : annotation.equals("GRU") ? 3 : 1;
    return new Kind(
        "@" + annotation + "(units = " + units + ", returnSequences = true)",
        annotation,
        in -> in.get(0).length == 2 ? new int[] {in.get(0)[0], units} : null,
        in ->
            List.of(
                new long[] {in.get(0)[1], gates * units},
                new long[] {units, gates * units},
                annotation.equals("GRU")
                    ? new long[] {2, gates * units}
                    : new long[] {gates * units}),
        "LINEAR");
  }
}
