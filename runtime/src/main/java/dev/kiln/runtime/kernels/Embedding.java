package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import dev.kiln.runtime.SecondThread;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.reduce.same.Min;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keras' Embedding layer: row {@code indices[s, t]} of the embedding matrix for every index.
 * Indices are integers (INT or LONG arrays); whole numbers in a floating-point array are accepted
 * too and cast as Keras casts them (toward zero), through a per-thread work array.
 */
public final class Embedding {

  /** Output elements from which a gather runs on two threads. */
  private static final long PARALLEL_ELEMENTS = 1 << 18;

  private Embedding() {}

  /**
   * An Embedding layer's parameters: a view of the model's flat parameter buffer.
   *
   * @param embeddings {@code (inputDim, outputDim)}
   */
  public record Parameters(INDArray embeddings) {}

  /**
   * @param indices {@code (n, steps)}, each in {@code [0, inputDim)}
   * @param embeddings {@code (inputDim, outputDim)}
   * @param out written, {@code (n, steps, outputDim)}
   */
  public static void forward(INDArray indices, INDArray embeddings, INDArray out) {
    if (TokenIds.accepts(indices) && Elements.accepts(embeddings) && Elements.accepts(out)
        && embeddings.dataType() == out.dataType()) {
      gather(TokenIds.of(indices, embeddings.size(0)), Elements.of(embeddings), Elements.of(out),
          Math.toIntExact(embeddings.size(1)));
      return;
    }
    // gather along axis 0; its boolean argument checkIndices has every index checked against
    // inputDim (without it, an index past the table reads past it).
    Nd4j.exec(
        DynamicCustomOp.builder("gather")
            .addInputs(embeddings, checked(indices))
            .addOutputs(out)
            .addIntegerArguments(0)
            .addBooleanArguments(true)
            .build());
  }

  /**
   * Copies the rows of the tokens into {@code out}, one bulk copy a row: libnd4j's {@code gather}
   * with its two index checks took 2 to 3 ms for Headlines' 6,400 tokens of 512 values. A large
   * output is copied in two halves at once ({@link SecondThread}).
   */
  private static void gather(TokenIds tokens, Elements table, Elements out, int width) {
    int half = tokens.length / 2;
    if ((long) tokens.length * width < PARALLEL_ELEMENTS) {
      gather(tokens, table, out, width, 0, tokens.length);
    } else {
      SecondThread.run(
          () -> gather(tokens, table, out, width, half, tokens.length),
          () -> gather(tokens, table, out, width, 0, half));
    }
  }

  private static void gather(TokenIds tokens, Elements table, Elements out, int width, int from,
      int to) {
    for (int p = from; p < to; p++) {
      table.copyTo(tokens.get(p) * width, out, (long) p * width, width);
    }
  }

  /**
   * Writes {@code dEmbeddings}: zero except the rows used, which get the sum of their
   * {@code dOut} rows (an index used twice gets both).
   *
   * @param indices {@code (n, steps)}, as given to the forward pass
   * @param dOut {@code (n, steps, outputDim)}
   * @param dEmbeddings written, {@code (inputDim, outputDim)}
   */
  public static void backward(INDArray indices, INDArray dOut, INDArray dEmbeddings) {
    if (EmbeddingGradient.accepts(indices, dOut, dEmbeddings)) {
      EmbeddingGradient.write(indices, dOut, dEmbeddings);
      return;
    }
    dEmbeddings.assign(0);
    INDArray ids = checked(indices);
    // scatter_add's boolean arguments: lock, which runs the updates on one thread so that
    // repeated indices cannot race, and checkIndices.
    Nd4j.exec(
        DynamicCustomOp.builder("scatter_add")
            .addInputs(dEmbeddings, ids, dOut)
            .addOutputs(dEmbeddings)
            .addBooleanArguments(true, true)
            .build());
  }

  /**
   * {@code indices} itself when of an integer type, else its values cast to LONG in a work array;
   * refused if any is negative, which libnd4j's index checks let through to read or write before
   * the table.
   */
  private static INDArray checked(INDArray indices) {
    INDArray integers = indices;
    if (!indices.dataType().isIntType()) {
      integers = WorkArrays.get(Embedding.class, "indices", DataType.LONG, indices.shape());
      integers.assign(indices);
    }
    INDArray smallest = WorkArrays.get(Embedding.class, "smallest", integers.dataType());
    Nd4j.exec(new Min(integers, smallest));
    if (smallest.getLong(0) < 0) {
      throw new IllegalArgumentException("Embedding: negative index " + smallest.getLong(0));
    }
    return integers;
  }
}
