package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.FloatLanes.SPECIES;

import jdk.incubator.vector.FloatVector;

/**
 * The core of {@link MultiHeadAttention}'s forward pass for float32 heads in Vector API lanes:
 * per head, the scores {@code Q . K^T}, their softmax and the context {@code P . V}, one query row
 * at a time while the head's keys and values stay in the core's first-level cache, in place of
 * two batched products and a softmax pass over every score (64 heads of 64x64 scores per sample:
 * 5.4 ms of CPU at 64x4 heads, the libnd4j products at 33-56 GFLOPS). Rows of whole vectors only
 * ({@link #suits}); no mask, no causal mask and no dropout. It reads the queries, keys and values
 * and writes the context where their {@link Layout}s say: in a prediction of self-attention, the
 * rows of the one projection of all three (adding the biases as it reads them), and the heads'
 * context side by side, so that no pass splits or merges heads. Only {@link MultiHeadAttention}
 * calls it, when {@link VectorApi} allows.
 */
final class AttentionLanes {

  private AttentionLanes() {}

  /** Whether heads of {@code keys} value steps and {@code valueDim} values per step suit. */
  static boolean suits(long keys, long valueDim) {
    return keys % SPECIES.length() == 0 && valueDim % SPECIES.length() == 0;
  }

  /**
   * Where the rows of {@code (n * heads)} heads lie in an array: row {@code t} of head {@code h}
   * of sample {@code i} starts at element {@code start + i * sample + h * head + t * row}.
   */
  record Layout(int start, int sample, int head, int row) {

    /** Head-major, {@code (n, heads, steps, size)}. */
    static Layout headMajor(int heads, int steps, int size) {
      return new Layout(0, heads * steps * size, steps * size, size);
    }

    /**
     * Side by side, {@code (n, steps, width)}: rows of {@code width} values whose heads of {@code
     * size} start at column {@code start}.
     */
    static Layout sideBySide(int start, int steps, int width, int size) {
      return new Layout(start, steps * width, size, width);
    }

    /** Where row {@code t} of head {@code index} (of {@code n * heads}) starts. */
    int at(int index, int heads, int t) {
      return start + index / heads * sample + index % heads * head + t * row;
    }
  }

  /**
   * The arrays of a call, as lanes, with {@code heads} heads a sample: queries, keys and values
   * where their layouts say, the probabilities head-major (or null where nobody reads them), the
   * context where its layout says.
   * Where {@code biases} is not null, the queries, keys and values are the projections before
   * their biases, which sit there side by side (queries', keys', values'; zeros for a layer
   * without), and the queries before their scaling by {@code queryScale}: both are applied as
   * rows are read, as {@link HeadMoves#split} applies them.
   */
  record Heads(FloatLanes queries, Layout queryLayout, FloatLanes keys, Layout keyLayout,
      FloatLanes values, Layout valueLayout, FloatLanes scores, FloatLanes context,
      Layout contextLayout, int heads, int queryCount, int keyCount, int keyDim, int valueDim,
      float[] biases, float queryScale) {

    /** Head-major queries, keys, values and context, biased and scaled already. */
    static Heads headMajor(FloatLanes queries, FloatLanes keys, FloatLanes values,
        FloatLanes scores, FloatLanes context, int heads, int queryCount, int keyCount,
        int keyDim, int valueDim) {
      return new Heads(queries, Layout.headMajor(heads, queryCount, keyDim), keys,
          Layout.headMajor(heads, keyCount, keyDim), values,
          Layout.headMajor(heads, keyCount, valueDim), scores, context,
          Layout.headMajor(heads, queryCount, valueDim), heads, queryCount, keyCount, keyDim,
          valueDim, null, 1);
    }
  }

  /** The floats of work a thread needs for heads of these sizes. */
  static int workLength(int keyCount, int keyDim, int valueDim) {
    return 2 * keyDim * keyCount + valueDim * keyCount
        + AttentionTiles.ROWS * (keyDim + 2 * keyCount + valueDim + 1);
  }

  /**
   * The floats a thread stages a sample's rows of the one projection in ({@link #forward}), or 0
   * where {@code h} reads head-major arrays.
   */
  static int stagedLength(Heads h) {
    return h.biases() == null ? 0 : h.queryCount() * h.queryLayout().row();
  }

  /**
   * Writes the probabilities and the context of heads {@code [from, to)}.
   *
   * @param work {@link #workLength} floats
   * @param staged {@link #stagedLength} floats, or null where that is 0
   */
  static void forward(Heads h, int from, int to, float[] work, float[] staged) {
    forward(h, from, to, work, staged, null);
  }

  /**
   * Head-major arrays a training pass keeps for its backward pass: the queries (biased and
   * scaled), keys and values, {@code (n, heads, steps, size)} each.
   */
  record Kept(FloatLanes queries, FloatLanes keys, FloatLanes values) {}

  /**
   * Writes the probabilities (unless {@code h.scores()} is null: a prediction that nobody reads
   * them in) and the context of heads {@code [from, to)}, and where {@code kept} is not null, the
   * heads' queries, keys and values head-major into it too. Per head, its keys (transposed) and
   * values are gathered into {@code work} once, where they stay in the first-level cache, and
   * its query rows go {@link AttentionTiles#ROWS} at a time through the scores' product, their
   * softmax and the context's product ({@link AttentionTiles}).
   *
   * <p>Reading the one projection of self-attention ({@code h.biases()} not null), each sample's
   * rows are first staged in {@code staged} in one pass in order, and the biases and the
   * queries' scale are applied as a head's rows are gathered from there: a head's rows lie a
   * whole projection row apart (1.5 KB at 4 heads of 32), which the processor's prefetcher does
   * not follow across pages, and read so, a prediction's core took twice as long as on
   * head-major arrays.
   */
  static void forward(Heads h, int from, int to, float[] work, float[] staged, Kept kept) {
    int rows = AttentionTiles.ROWS;
    int count = h.keyCount();
    int size = h.keyDim();
    int valueDim = h.valueDim();
    // work: the keys as rows, transposed, the values, a tile of query rows, of scores, of
    // probabilities, of context, and a float per row of the tile for the softmax
    int keysT = size * count;
    int values = 2 * keysT;
    int query = values + valueDim * count;
    int scores = query + rows * size;
    int probabilities = scores + rows * count;
    int context = probabilities + rows * count;
    int rowScalars = context + rows * valueDim;
    int queries = h.queryCount();
    int heads = h.heads();
    int sample = -1;
    for (int head = from; head < to; head++) {
      if (staged != null && head / heads != sample) {
        sample = head / heads;
        h.queries().read(sample * h.queryLayout().sample(), staged, 0,
            queries * h.queryLayout().row());
      }
      gather(h, h.keys(), h.keyLayout(), head, 0, count, size, 1, work, 0, staged);
      AttentionTiles.transpose(work, 0, size, count, size, work, keysT);
      gather(h, h.values(), h.valueLayout(), head, 0, count, valueDim, 1, work, values, staged);
      if (kept != null) {
        kept.keys().write(work, 0, head * count * size, count * size);
        kept.values().write(work, values, head * count * valueDim, count * valueDim);
      }
      for (int i = 0; i < queries; i += rows) {
        int tile = Math.min(rows, queries - i);
        int row = head * queries + i;
        gather(h, h.queries(), h.queryLayout(), head, i, tile, size, h.queryScale(), work, query,
            staged);
        if (kept != null) {
          kept.queries().write(work, query, row * size, tile * size);
        }
        AttentionTiles.product(work, query, size, 1, tile, size, keysT, count, count, scores,
            count, 1f);
        AttentionTiles.softmax(work, scores, tile, count, probabilities, rowScalars);
        if (h.scores() != null) {
          h.scores().write(work, probabilities, row * count, tile * count);
        }
        AttentionTiles.product(work, probabilities, count, 1, tile, count, values, valueDim,
            valueDim, context, valueDim, 1f);
        Layout out = h.contextLayout();
        for (int r = 0, at = out.at(head, heads, i); r < tile; r++, at += out.row()) {
          h.context().write(work, context + r * valueDim, at, valueDim);
        }
      }
    }
  }

  /** {@link #forward} of heads whose arrays are head-major or need no staging. */
  static void forward(Heads h, int from, int to, float[] work) {
    forward(h, from, to, work, h.biases() == null ? null : new float[stagedLength(h)]);
  }

  /**
   * Gathers rows {@code [first, first + rows)} of head {@code head} into {@code work[at...]}, one
   * after the other: from the lanes, or where {@code staged} is not null, from its sample's
   * staged rows, adding the biases of their columns and times {@code scale} (the queries' scale
   * for queries, else 1; head-major arrays are biased and scaled already).
   */
  private static void gather(Heads h, FloatLanes lanes, Layout layout, int head, int first,
      int rows, int size, float scale, float[] work, int at, float[] staged) {
    int heads = h.heads();
    if (staged != null) {
      int column = layout.at(head % heads, heads, 0);
      AttentionTiles.biasedRows(staged, column + first * layout.row(), layout.row(), rows, size,
          h.biases(), column, scale, work, at);
      return;
    }
    int from = layout.at(head, heads, first);
    if (layout.row() == size) {
      lanes.read(from, work, at, rows * size); // rows adjacent
      return;
    }
    for (int r = 0, to = at; r < rows; r++, from += layout.row(), to += size) {
      lanes.read(from, work, to, size);
    }
  }



  /** {@code work[d * count + j] = work[from + j * size + d]}: the keys of a head transposed. */
  static void transpose(float[] work, int from, int count, int size) {
    for (int j = 0; j < count; j++) {
      for (int d = 0; d < size; d++) {
        work[d * count + j] = work[from + j * size + d];
      }
    }
  }

  /*
   * Every call on a vector in the methods below is the Vector API's own: a FloatVector that
   * crosses a call C2 leaves out of line is boxed on the heap (see LstmLanes). The products keep
   * four sums in flight, as a chain of dependent fma instructions waits four cycles a link.
   */

  /**
   * {@code work[out + r * count + j] = sum_d work[query + r * size + d] * keysT[d * count + j]}
   * for the two query rows {@code r}: their scores, two vectors of keys at a time while there are
   * two.
   */
  static void scoresRows(float[] work, int size, int count, int query, int out) {
    int width = SPECIES.length();
    int second = query + size;
    int j = 0;
    for (; j + 2 * width <= count; j += 2 * width) {
      FloatVector a0 = FloatVector.zero(SPECIES);
      FloatVector a1 = a0;
      FloatVector b0 = a0;
      FloatVector b1 = a0;
      for (int d = 0, at = j; d < size; d++, at += count) {
        FloatVector k0 = FloatVector.fromArray(SPECIES, work, at);
        FloatVector k1 = FloatVector.fromArray(SPECIES, work, at + width);
        FloatVector qa = FloatVector.broadcast(SPECIES, work[query + d]);
        FloatVector qb = FloatVector.broadcast(SPECIES, work[second + d]);
        a0 = k0.fma(qa, a0);
        a1 = k1.fma(qa, a1);
        b0 = k0.fma(qb, b0);
        b1 = k1.fma(qb, b1);
      }
      a0.intoArray(work, out + j);
      a1.intoArray(work, out + j + width);
      b0.intoArray(work, out + count + j);
      b1.intoArray(work, out + count + j + width);
    }
    for (; j < count; j += width) {
      FloatVector a = FloatVector.zero(SPECIES);
      FloatVector b = a;
      for (int d = 0, at = j; d < size; d++, at += count) {
        FloatVector k = FloatVector.fromArray(SPECIES, work, at);
        a = k.fma(FloatVector.broadcast(SPECIES, work[query + d]), a);
        b = k.fma(FloatVector.broadcast(SPECIES, work[second + d]), b);
      }
      a.intoArray(work, out + j);
      b.intoArray(work, out + count + j);
    }
  }
}
