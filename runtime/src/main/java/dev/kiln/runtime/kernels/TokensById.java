package dev.kiln.runtime.kernels;

import java.util.Arrays;

/**
 * A batch's token positions grouped by id, in increasing position within an id: a counting sort
 * of the ids, for passes that visit the table's rows in order ({@link EmbeddingGradient}). One per
 * thread, its arrays grown when needed and then reused, so a steady training loop allocates none.
 */
final class TokensById {

  private static final ThreadLocal<TokensById> SORTED = ThreadLocal.withInitial(TokensById::new);

  /** Where each id's positions start in {@link #positions}; {@code starts[vocabulary]} ends all. */
  private int[] starts = new int[0];
  /** The next free place of each id while the positions are placed. */
  private int[] next = new int[0];
  private int[] positions = new int[0];

  private TokensById() {}

  /**
   * The positions of {@code tokens} grouped by id, in this thread's arrays: valid until this
   * thread sorts again. Every id must be below {@code vocabulary} ({@link TokenIds#of} checks).
   */
  static TokensById of(TokenIds tokens, int vocabulary) {
    TokensById sorted = SORTED.get();
    sorted.sort(tokens, vocabulary);
    return sorted;
  }

  private void sort(TokenIds tokens, int vocabulary) {
    if (starts.length < vocabulary + 1) {
      starts = new int[vocabulary + 1];
      next = new int[vocabulary + 1];
    }
    if (positions.length < tokens.length) {
      positions = new int[tokens.length];
    }
    Arrays.fill(starts, 0, vocabulary + 1, 0);
    for (int p = 0; p < tokens.length; p++) {
      starts[(int) tokens.get(p) + 1]++;
    }
    for (int id = 0; id < vocabulary; id++) {
      starts[id + 1] += starts[id];
    }
    System.arraycopy(starts, 0, next, 0, vocabulary + 1);
    for (int p = 0; p < tokens.length; p++) {
      positions[next[(int) tokens.get(p)]++] = p;
    }
  }

  /** The index in {@link #position} of the first position of {@code id}. */
  int first(int id) {
    return starts[id];
  }

  /** One past the index of the last position of {@code id}; {@link #first} if it has none. */
  int end(int id) {
    return starts[id + 1];
  }

  /** The {@code k}-th position in id order. */
  int position(int k) {
    return positions[k];
  }
}
