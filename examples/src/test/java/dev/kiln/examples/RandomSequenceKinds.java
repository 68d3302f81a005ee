package dev.kiln.examples;

import static dev.kiln.examples.FuzzShapes.VARIABLE;
import static dev.kiln.examples.FuzzShapes.last;
import static dev.kiln.examples.FuzzShapes.withLast;

import dev.kiln.examples.RandomValidModels.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * The differential fuzz's sequence kinds (LSTM, GRU, SimpleRNN, Bidirectional, MultiHeadAttention,
 * PositionEmbedding), each with Keras' rules for its output shape and weights.
 */
final class RandomSequenceKinds {

  private final RandomValidModels random;

  RandomSequenceKinds(RandomValidModels random) {
    this.random = random;
  }

  Kind recurrent() {
    String annotation = random.pick(List.of("LSTM", "GRU", "SimpleRNN"));
    int units = random.between(1, 4);
    boolean sequences = random.chance(0.5);
    boolean bias = random.chance(0.85);
    String attributes =
        "units = "
            + units
            + (sequences
                ? ", returnSequences = true"
                : random.chance(0.2) ? ", returnSequences = false" : "")
            + (bias ? "" : ", useBias = false")
            + (annotation.equals("LSTM") && random.chance(0.3) ? ", unitForgetBias = false" : "")
            + (random.chance(0.2)
                ? ", recurrentInitializer = " + random.pick(RandomValidModels.KERNEL_INITIALIZERS)
                : "")
            + random.initializers(bias);
    int gates =
        switch (annotation) {
          case "LSTM" -> 4;
          case "GRU" -> 3;
          default -> 1;
        };
    return new Kind(
        "@" + annotation + "(" + attributes + ")",
        annotation,
        in ->
            in.get(0).length == 2 && in.get(0)[1] > 0
                ? sequences ? new int[] {in.get(0)[0], units} : new int[] {units}
                : null,
        in -> {
          List<long[]> weights = new ArrayList<>();
          weights.add(new long[] {in.get(0)[1], gates * units});
          weights.add(new long[] {units, gates * units});
          if (bias) {
            // Keras' GRU (reset_after) has an input and a recurrent bias.
            weights.add(
                annotation.equals("GRU")
                    ? new long[] {2, gates * units}
                    : new long[] {gates * units});
          }
          return weights;
        },
        "LINEAR");
  }

  /** MultiHeadAttention of a sequence with itself: one parameter, Keras' {@code layer(x, x)}. */
  Kind selfAttention() {
    return attention(1);
  }

  /**
   * A MultiHeadAttention of {@code inputs} tensors (query, value, key) with random attributes; its
   * shape rule takes the first input as query, the second (or the first) as value and key.
   */
  Kind attention(int inputs) {
    int heads = random.between(1, 3);
    int keyDim = random.between(1, 3);
    int valueDim = random.chance(0.3) ? random.between(1, 3) : keyDim;
    int outputShape = random.chance(0.3) ? random.between(1, 4) : 0;
    boolean bias = random.chance(0.85);
    StringBuilder attributes = new StringBuilder("numHeads = " + heads + ", keyDim = " + keyDim);
    attributes.append(valueDim != keyDim || random.chance(0.1) ? ", valueDim = " + valueDim : "");
    attributes.append(outputShape > 0 ? ", outputShape = " + outputShape : "");
    attributes.append(bias ? "" : ", useBias = false");
    attributes.append(random.chance(0.4) ? ", useCausalMask = true" : "");
    attributes.append(
        random.chance(0.25) ? ", dropout = " + random.pick(List.of("0.0", "0.2", "0.5")) : "");
    attributes.append(random.initializers(bias));
    return new Kind(
        "@MultiHeadAttention(" + attributes + ")",
        "MultiHeadAttention",
        in -> {
          int[] query = in.get(0);
          int[] value = in.get(Math.min(1, in.size() - 1));
          int[] key = in.get(Math.min(2, in.size() - 1));
          boolean sequences = in.stream().allMatch(shape -> shape.length == 2 && shape[1] > 0);
          return in.size() != inputs || !sequences || query[1] != value[1] || value[0] != key[0]
              ? null
              : new int[] {query[0], outputShape > 0 ? outputShape : query[1]};
        },
        in -> {
          int query = in.get(0)[1];
          int value = in.get(Math.min(1, in.size() - 1))[1];
          int key = in.get(Math.min(2, in.size() - 1))[1];
          int out = outputShape > 0 ? outputShape : query;
          List<long[]> weights = new ArrayList<>();
          long[][] kernels = {
            {query, heads, keyDim}, {key, heads, keyDim}, {value, heads, valueDim}
          };
          for (long[] kernel : kernels) {
            weights.add(kernel);
            if (bias) {
              weights.add(new long[] {heads, kernel[2]});
            }
          }
          weights.add(new long[] {heads, valueDim, out});
          if (bias) {
            weights.add(new long[] {out});
          }
          return weights;
        },
        "LINEAR");
  }

  /** KerasNLP's position embedding of a sequence, with a table as long or longer. */
  Kind positionEmbedding(int[] shape) {
    // Variable lengths run with 2 to 5 steps.
    int length = shape[0] == VARIABLE ? random.between(5, 7) : shape[0] + random.between(0, 2);
    String attributes =
        "sequenceLength = "
            + length
            + (random.chance(0.3)
                ? ", initializer = " + random.pick(RandomValidModels.KERNEL_INITIALIZERS)
                : "");
    return new Kind(
        "@PositionEmbedding(" + attributes + ")",
        "PositionEmbedding",
        in ->
            in.get(0).length == 2 && in.get(0)[1] > 0 && in.get(0)[0] <= length ? in.get(0) : null,
        in -> List.of(new long[] {length, in.get(0)[1]}),
        "LINEAR");
  }

  Kind bidirectional() {
    Kind inner = recurrent();
    boolean sum = random.chance(0.4);
    String wrapper =
        sum
            ? "@Bidirectional(mergeMode = SUM)"
            : random.chance(0.2) ? "@Bidirectional(mergeMode = CONCAT)" : "@Bidirectional";
    return new Kind(
        wrapper + " " + inner.annotation(),
        "Bidirectional",
        in -> {
          int[] one = inner.shape().apply(in);
          return one == null || sum ? one : withLast(one, 2 * last(one));
        },
        in -> {
          List<long[]> both = new ArrayList<>(inner.weights().apply(in));
          both.addAll(inner.weights().apply(in));
          return both;
        },
        "LINEAR");
  }
}
