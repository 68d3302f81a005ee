package dev.kiln.examples;

import static dev.kiln.examples.FuzzShapes.ints;
import static dev.kiln.examples.FuzzShapes.isFixed;
import static dev.kiln.examples.FuzzShapes.last;
import static dev.kiln.examples.FuzzShapes.product;
import static dev.kiln.examples.FuzzShapes.withLast;

import dev.kiln.examples.RandomValidModels.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * The differential fuzz's kinds that apply to any tensor with features on its last axis (Dense, the
 * normalisations, Dropout, activations, Softmax) and those that reshape (Flatten, Reshape), each
 * with Keras' rules for its output shape and weights.
 */
final class RandomFeatureKinds {

  private final RandomValidModels random;

  RandomFeatureKinds(RandomValidModels random) {
    this.random = random;
  }

  Kind dense() {
    int units = random.between(1, 6);
    String activation = random.activation(units);
    boolean bias = random.chance(0.85);
    StringBuilder attributes = new StringBuilder("units = " + units);
    attributes.append(
        activation.equals("LINEAR") && random.chance(0.5) ? "" : ", activation = " + activation);
    attributes.append(bias ? "" : ", useBias = false");
    attributes.append(random.initializers(bias));
    return new Kind(
        "@Dense(" + attributes + ")",
        "Dense",
        in -> in.get(0)[in.get(0).length - 1] > 0 ? withLast(in.get(0), units) : null,
        in ->
            bias
                ? List.of(new long[] {last(in.get(0)), units}, new long[] {units})
                : List.of(new long[] {last(in.get(0)), units}),
        activation);
  }

  Kind flatten() {
    return new Kind(
        "@Flatten",
        "Flatten",
        in -> isFixed(in.get(0)) ? new int[] {(int) product(in.get(0))} : null);
  }

  /** A new shape of rank 1 to 3 for the input's values, sometimes with one size left as -1. */
  Kind reshape(int[] shape) {
    int length = (int) product(shape);
    List<Integer> divisors = new ArrayList<>();
    for (int d = 1; d <= length; d++) {
      if (length % d == 0) {
        divisors.add(d);
      }
    }
    int[] target;
    int rank = random.between(1, 3);
    if (rank == 1) {
      target = new int[] {length};
    } else {
      int first = random.pick(divisors);
      int rest = length / first;
      if (rank == 2) {
        target = new int[] {first, rest};
      } else {
        List<Integer> restDivisors = divisors.stream().filter(d -> rest % d == 0).toList();
        int second = random.pick(restDivisors);
        target = new int[] {first, second, rest / second};
      }
    }
    int[] written = target.clone();
    if (random.chance(0.4)) {
      written[random.nextInt(written.length)] = -1;
    }
    int[] result = target;
    return new Kind(
        "@Reshape(targetShape = " + ints(written) + ")",
        "Reshape",
        in -> isFixed(in.get(0)) && product(in.get(0)) == length ? result : null);
  }

  Kind batchNormalization() {
    List<String> attributes = new ArrayList<>();
    boolean scale = !random.chance(0.2);
    boolean center = !random.chance(0.2);
    if (random.chance(0.3)) {
      attributes.add("momentum = " + random.pick(List.of("0.9", "0.5", "0.0")));
    }
    if (random.chance(0.3)) {
      attributes.add("epsilon = " + random.pick(List.of("0.01", "1e-5")));
    }
    if (!scale) {
      attributes.add("scale = false");
    }
    if (!center) {
      attributes.add("center = false");
    }
    if (random.chance(0.15)) {
      attributes.add("axis = -1");
    }
    if (random.chance(0.2)) {
      attributes.add("gammaInitializer = " + random.pick(List.of("ONES", "RANDOM_UNIFORM")));
    }
    if (random.chance(0.2)) {
      attributes.add("betaInitializer = " + random.pick(List.of("ZEROS", "RANDOM_UNIFORM")));
    }
    return new Kind(
        "@BatchNormalization"
            + (attributes.isEmpty() ? "" : "(" + String.join(", ", attributes) + ")"),
        "BatchNormalization",
        in -> last(in.get(0)) > 0 ? in.get(0) : null,
        in -> {
          // Keras counts gamma, beta and the two moving statistics, one value per channel each.
          long channels = last(in.get(0));
          List<long[]> weights = new ArrayList<>();
          for (int i = 0; i < (scale ? 1 : 0) + (center ? 1 : 0) + 2; i++) {
            weights.add(new long[] {channels});
          }
          return weights;
        },
        "LINEAR");
  }

  Kind dropout() {
    String rate = random.pick(List.of("0.0", "0.2", "0.3", "0.5"));
    return new Kind("@Dropout(rate = " + rate + ")", "Dropout", in -> in.get(0));
  }

  Kind activationLayer() {
    String activation = random.pick(RandomValidModels.ACTIVATIONS);
    return new Kind(
        "@ActivationLayer(" + activation + ")",
        "ActivationLayer",
        in -> in.get(0),
        in -> List.of(),
        activation);
  }

  /** Over the last axis, or the last two when both are fixed; Keras' axes count the batch. */
  Kind layerNormalization(int[] shape) {
    int rank = shape.length;
    boolean two = rank >= 2 && shape[rank - 2] > 0 && random.chance(0.3);
    int normalised = two ? 2 : 1;
    List<String> attributes = new ArrayList<>();
    // Axes counted from the front name the last ones only at this rank: a layer sharing these
    // weights must read a tensor of the same rank (seed 141).
    boolean fromFront = false;
    if (two) {
      fromFront = !random.chance(0.5);
      attributes.add(fromFront ? "axis = {" + (rank - 1) + ", " + rank + "}" : "axis = {-2, -1}");
    } else if (random.chance(0.3)) {
      fromFront = !random.chance(0.5);
      attributes.add(fromFront ? "axis = " + rank : "axis = -1");
    }
    if (random.chance(0.3)) {
      attributes.add("epsilon = " + random.pick(List.of("1e-5", "0.01", "1e-6")));
    }
    boolean scale = !random.chance(0.2);
    boolean center = !random.chance(0.2);
    if (!scale) {
      attributes.add("scale = false");
    }
    if (!center) {
      attributes.add("center = false");
    }
    if (random.chance(0.2)) {
      attributes.add("gammaInitializer = " + random.pick(List.of("ONES", "RANDOM_UNIFORM")));
    }
    boolean fromFrontAxes = fromFront;
    return new Kind(
        "@LayerNormalization"
            + (attributes.isEmpty() ? "" : "(" + String.join(", ", attributes) + ")"),
        "LayerNormalization",
        in -> {
          int[] input = in.get(0);
          if (fromFrontAxes && input.length != rank) {
            return null;
          }
          for (int i = input.length - normalised; i < input.length; i++) {
            if (i < 0 || input[i] < 1) {
              return null;
            }
          }
          return input;
        },
        in -> {
          // Keras shapes gamma and beta like the normalised axes.
          int[] input = in.get(0);
          long[] dims = new long[normalised];
          for (int i = 0; i < normalised; i++) {
            dims[i] = input[input.length - normalised + i];
          }
          List<long[]> weights = new ArrayList<>();
          for (int i = 0; i < (scale ? 1 : 0) + (center ? 1 : 0); i++) {
            weights.add(dims);
          }
          return weights;
        },
        "LINEAR");
  }

  /** Over a fixed axis of more than one value (a softmax over one value is the constant 1). */
  Kind softmax(int[] shape) {
    List<Integer> axes = new ArrayList<>();
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] > 1) {
        axes.add(i);
      }
    }
    if (axes.isEmpty()) {
      return null;
    }
    int axis = random.pick(axes);
    int rank = shape.length;
    String written =
        axis == rank - 1 && random.chance(0.5)
            ? ""
            : "(axis = " + (random.chance(0.5) ? axis + 1 : axis - rank) + ")";
    // Over the last axis written as -1 (or not at all), Kiln's Softmax is the SOFTMAX activation.
    boolean activation = written.isEmpty() || written.equals("(axis = -1)");
    return new Kind(
        "@Softmax" + written,
        "Softmax",
        in -> in.get(0).length == rank && in.get(0)[axis] > 1 ? in.get(0) : null,
        in -> List.of(),
        activation ? "SOFTMAX" : "LINEAR");
  }

  Kind leakyRelu() {
    String slope = random.pick(List.of("", "0.0", "0.1", "0.3", "1.5"));
    return new Kind(
        "@LeakyReLU" + (slope.isEmpty() ? "" : "(negativeSlope = " + slope + ")"),
        "LeakyReLU",
        in -> in.get(0));
  }
}
