package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import dev.kiln.runtime.SecondThread;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The Embedding's gradient as a Java pass on two threads that writes each row of the table once,
 * in order: the tokens are first sorted by id ({@link TokensById}), then each thread walks its
 * half of the vocabulary and writes a row as zero or as the sum of its tokens' {@code dOut} rows.
 * No row is written by both threads, so repeated tokens need no lock, and no row is zeroed and
 * then read back. libnd4j's {@code scatter_add} has to lock against repeated indices and so runs
 * on one thread (Headlines, 6,400 tokens of 512 values: 8.7 ms, PyTorch 3.7); zeroing the table
 * and then adding the tokens' rows into it at random places took 4-6 ms of CPU over two threads.
 */
final class EmbeddingGradient {

  private EmbeddingGradient() {}

  /** Whether {@link #write} takes these arrays: integer ids, float or double rows of one type. */
  static boolean accepts(INDArray ids, INDArray dOut, INDArray dEmbeddings) {
    return TokenIds.accepts(ids) && Elements.accepts(dOut) && Elements.accepts(dEmbeddings)
        && dOut.dataType() == dEmbeddings.dataType();
  }

  /**
   * Writes {@code dEmbeddings}: row {@code r} the sum of the rows {@code p} of {@code dOut} with
   * {@code ids[p] == r}, added in the order of {@code p} from zero, and zero where there is none;
   * an id outside the table is refused.
   *
   * @param ids {@code (n, steps)}
   * @param dOut {@code (n, steps, outputDim)}
   * @param dEmbeddings written, {@code (inputDim, outputDim)}
   */
  static void write(INDArray ids, INDArray dOut, INDArray dEmbeddings) {
    int vocabulary = Math.toIntExact(dEmbeddings.size(0));
    int width = Math.toIntExact(dEmbeddings.size(1));
    TokensById tokens = TokensById.of(TokenIds.of(ids, vocabulary), vocabulary);
    int half = vocabulary / 2;
    if (VectorApi.appliesTo(dOut.dataType())) {
      FloatLanes rows = new FloatLanes(dOut);
      FloatLanes table = new FloatLanes(dEmbeddings);
      SecondThread.run(
          () -> EmbeddingLanes.writeRows(tokens, rows, table, width, half, vocabulary),
          () -> EmbeddingLanes.writeRows(tokens, rows, table, width, 0, half));
      return;
    }
    Elements rows = Elements.of(dOut);
    Elements table = Elements.of(dEmbeddings);
    SecondThread.run(
        () -> writeRows(tokens, rows, table, width, half, vocabulary),
        () -> writeRows(tokens, rows, table, width, 0, half));
  }

  /** Writes rows {@code [from, to)} of the table: each the sum of its tokens' rows, or zero. */
  private static void writeRows(TokensById tokens, Elements rows, Elements table, int width,
      int from, int to) {
    for (int id = from; id < to; id++) {
      long target = (long) id * width;
      int first = tokens.first(id);
      int end = tokens.end(id);
      if (first == end) {
        table.fill(target, width, 0);
        continue;
      }
      for (int j = 0; j < width; j++) {
        double sum = 0;
        for (int k = first; k < end; k++) {
          sum += rows.get((long) tokens.position(k) * width + j);
        }
        table.set(target + j, sum);
      }
    }
  }
}
