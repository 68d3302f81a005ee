package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * KerasNLP's {@code PositionEmbedding}: the first {@code steps} rows of a learned table, the same
 * for every sample. The output does not depend on the input's values, so their gradient is 0.
 */
public final class PositionEmbedding {

  private PositionEmbedding() {}

  /**
   * A PositionEmbedding layer's parameters: a view of the model's flat parameter buffer.
   *
   * @param embeddings {@code (sequenceLength, features)}
   */
  public record Parameters(INDArray embeddings) {}

  /**
   * @param x {@code (n, steps, features)}, read for its shape only; steps at most the table's rows
   * @param embeddings {@code (sequenceLength, features)}
   * @param out written, {@code (n, steps, features)}
   */
  public static void forward(INDArray x, INDArray embeddings, INDArray out) {
    long steps = requireFits(x, embeddings);
    Require.sameShape(out, x, "PositionEmbedding output");
    Elements table = Elements.of(embeddings);
    Elements result = Elements.of(out);
    int rows = Math.toIntExact(steps * embeddings.size(1));
    for (long sample = 0, n = out.size(0); sample < n; sample++) {
      table.copyTo(0, result, sample * rows, rows);
    }
  }

  /**
   * @param dOut {@code (n, steps, features)}
   * @param dEmbeddings written: row {@code t} the sum of {@code dOut[:, t, :]}, rows past the
   *     input's steps 0
   * @param dx written with 0, or null when no layer needs it
   */
  public static void backward(INDArray dOut, INDArray dEmbeddings, INDArray dx) {
    long steps = requireFits(dOut, dEmbeddings);
    Elements gradient = Elements.of(dOut);
    Elements table = Elements.of(dEmbeddings);
    long rows = steps * dEmbeddings.size(1);
    for (long i = 0, length = table.length(); i < length; i++) {
      table.set(i, 0);
    }
    for (long i = 0, length = gradient.length(); i < length; i++) {
      long row = i % rows;
      table.set(row, table.get(row) + gradient.get(i));
    }
    if (dx != null) {
      dx.assign(0);
    }
  }

  /** The input's steps, refused when the table has fewer rows. */
  private static long requireFits(INDArray x, INDArray embeddings) {
    long steps = x.size(1);
    if (steps > embeddings.size(0) || x.size(2) != embeddings.size(1)) {
      throw new IllegalArgumentException("PositionEmbedding: an input of " + steps + " steps of "
          + x.size(2) + " features does not fit a table of " + embeddings.size(0) + " positions of "
          + embeddings.size(1) + "; raise sequenceLength or shorten the sequences");
    }
    return steps;
  }
}
