package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.FloatLanes.SPECIES;

import dev.kiln.runtime.kernels.AttentionLanes.Layout;

/**
 * The backward pass of attention's core for float32 heads in Vector API lanes, one head at a time
 * while its keys, values and gradients stay in the core's first-level cache: from the context's
 * gradient {@code dC}, the probabilities {@code P}, the queries {@code Q} (scaled), keys {@code K}
 * and values {@code V}, per head
 *
 * <pre>
 *   dV = P^T . dC            dP = dC . V^T          dS = P (dP - sum(P dP))
 *   dQ = dS . K              dK = dS^T . Q
 * </pre>
 *
 * <p>in place of a split of {@code dC} into heads, four batched products (libnd4j's took about 2
 * ms each at 64x4 heads of 64x64 scores), a pass for {@code dS} and a merge of the three
 * gradients. It reads {@code dC} and writes {@code dQ}, {@code dK} and {@code dV} where their
 * {@link Layout}s say: for self-attention, {@code dC} side by side as the output product wrote
 * it and the three gradients side by side in the one projection's rows, {@code dQ} times the
 * queries' scale, and the column sums of those rows (the projections' bias gradients) added to
 * float64 sums. Keys, keys' and values' sizes of whole vectors only ({@link #suits}); no mask and
 * no dropout. Only {@link MultiHeadAttention} calls it, when {@link VectorApi} allows.
 */
final class AttentionGradientLanes {

  private AttentionGradientLanes() {}

  /** Whether heads of these sizes suit: each a whole number of vectors. */
  static boolean suits(long keys, long keyDim, long valueDim) {
    int width = SPECIES.length();
    return keys % width == 0 && keyDim % width == 0 && valueDim % width == 0;
  }

  /**
   * The arrays of a call, with {@code heads} heads a sample, as lanes and where their layouts
   * say; the probabilities head-major {@code (n, heads, Tq, Tv)}.
   *
   * @param dQueryScale the factor the queries' gradient is written with
   */
  record Heads(FloatLanes queries, Layout queryLayout, FloatLanes keys, Layout keyLayout,
      FloatLanes values, Layout valueLayout, FloatLanes probabilities, FloatLanes dContext,
      Layout dContextLayout, FloatLanes dQueries, Layout dQueryLayout, float dQueryScale,
      FloatLanes dKeys, Layout dKeyLayout, FloatLanes dValues, Layout dValueLayout, int heads,
      int queryCount, int keyCount, int keyDim, int valueDim) {}

  /** The floats of work a thread needs for heads of these sizes. */
  static int workLength(int queryCount, int keyCount, int keyDim, int valueDim) {
    return 2 * queryCount * keyDim + 2 * keyCount * keyDim + 2 * keyCount * valueDim
        + 2 * queryCount * keyCount + queryCount * valueDim;
  }

  /**
   * The floats a thread stages a sample in: its rows of the context's gradient and, where the
   * three gradients go side by side into one array's rows, the sample's rows of that array.
   */
  static int stagedLength(Heads h) {
    int length = h.queryCount() * h.dContextLayout().row();
    return stagesGradients(h) ? length + h.queryCount() * h.dQueryLayout().row() : length;
  }

  /** Whether the three gradients go side by side into the rows of one array (self-attention). */
  private static boolean stagesGradients(Heads h) {
    return h.dQueries() == h.dKeys() && h.dKeys() == h.dValues()
        && h.dQueryLayout().row() != h.keyDim() && h.queryCount() == h.keyCount();
  }

  /** {@link #gradients(Heads, int, int, float[], double[], float[])}, staging in a new array. */
  static void gradients(Heads h, int from, int to, float[] work, double[] sums) {
    gradients(h, from, to, work, sums, new float[stagedLength(h)]);
  }

  /**
   * Writes the gradients of the queries, keys and values of heads {@code [from, to)}; with {@code
   * sums} not null, adds the column sums of every row written to it: queries' columns first
   * ({@code heads * keyDim}), then keys', then values'.
   *
   * <p>Per head, its queries, keys, values (transposed), probabilities and context gradient are
   * read into {@code work}, and the five products of a head are tiles of {@link AttentionTiles}
   * over the whole head ({@code dQ} and {@code dK} from the one {@code dS}), the gradients'
   * sums kept in registers: row by row, adding four rows' outer products at a time to {@code dK}
   * and {@code dV} in memory, the backward pass's core took half again as long as its forward
   * pass's.
   *
   * <p>Each sample's rows of the context's gradient are read in one pass in order into {@code
   * staged}, and where the gradients go side by side into one array, its rows are gathered there
   * and written in one pass: a head's rows lie a whole row apart (1.5 KB in the one projection's
   * gradient at 4 heads of 32), which the processor's prefetcher does not follow across pages.
   *
   * @param work {@link #workLength} floats
   * @param staged {@link #stagedLength} floats
   */
  static void gradients(Heads h, int from, int to, float[] work, double[] sums, float[] staged) {
    int count = h.keyCount();
    int keyDim = h.keyDim();
    int valueDim = h.valueDim();
    int heads = h.heads();
    int queries = h.queryCount();
    int rows = AttentionTiles.ROWS;
    // work: Q, K, V^T, P, dC, dS, dQ, dK, dV (V as rows there first)
    int keys = queries * keyDim;
    int valuesT = keys + count * keyDim;
    int probabilities = valuesT + valueDim * count;
    int dContext = probabilities + queries * count;
    int dScores = dContext + queries * valueDim;
    int dQuery = dScores + queries * count;
    int dKeys = dQuery + queries * keyDim;
    int dValues = dKeys + count * keyDim;
    // staged: the sample's rows of dC, then of the gradients side by side
    int gathered = stagesGradients(h) ? queries * h.dContextLayout().row() : -1;
    int sample = -1;
    for (int head = from; head < to; head++) {
      int inSample = head % heads;
      if (head / heads != sample) {
        if (gathered >= 0 && sample >= 0) {
          flush(h, sample, Math.max(from, sample * heads), head, staged, gathered);
        }
        sample = head / heads;
        Layout layout = h.dContextLayout();
        h.dContext().read(layout.at(sample * heads, heads, 0), staged, 0,
            queries * layout.row());
      }
      readRows(h.queries(), h.queryLayout(), head, heads, 0, queries, keyDim, work, 0);
      readRows(h.keys(), h.keyLayout(), head, heads, 0, count, keyDim, work, keys);
      readRows(h.values(), h.valueLayout(), head, heads, 0, count, valueDim, work, dValues);
      AttentionTiles.transpose(work, dValues, valueDim, count, valueDim, work, valuesT);
      h.probabilities().read(head * queries * count, work, probabilities, queries * count);
      copyRows(staged, 0, h.dContextLayout(), inSample, heads, 0, queries, valueDim, work,
          dContext, true);
      for (int i = 0; i < queries; i += rows) { // dP = dC . V^T, then dS in its place
        int tile = Math.min(rows, queries - i);
        AttentionTiles.product(work, dContext + i * valueDim, valueDim, 1, tile, valueDim,
            valuesT, count, count, dScores + i * count, count, 1f);
        for (int r = i; r < i + tile; r++) {
          AttentionBackwardLanes.softmaxGradientRow(work, probabilities + r * count,
              dScores + r * count, count);
        }
      }
      for (int i = 0; i < queries; i += rows) { // dQ = scale dS . K
        AttentionTiles.product(work, dScores + i * count, count, 1, Math.min(rows, queries - i),
            count, keys, keyDim, keyDim, dQuery + i * keyDim, keyDim, h.dQueryScale());
      }
      for (int j = 0; j < count; j += rows) { // dK = dS^T . Q, dV = P^T . dC
        int tile = Math.min(rows, count - j);
        AttentionTiles.product(work, dScores + j, 1, count, tile, queries, 0, keyDim, keyDim,
            dKeys + j * keyDim, keyDim, 1f);
        AttentionTiles.product(work, probabilities + j, 1, count, tile, queries, dContext,
            valueDim, valueDim, dValues + j * valueDim, valueDim, 1f);
      }
      if (gathered >= 0) {
        copyRows(staged, gathered, h.dQueryLayout(), inSample, heads, 0, queries, keyDim, work,
            dQuery, false);
        copyRows(staged, gathered, h.dKeyLayout(), inSample, heads, 0, count, keyDim, work, dKeys,
            false);
        copyRows(staged, gathered, h.dValueLayout(), inSample, heads, 0, count, valueDim, work,
            dValues, false);
      } else {
        writeRows(h.dQueries(), h.dQueryLayout(), head, heads, 0, queries, keyDim, work, dQuery);
        writeRows(h.dKeys(), h.dKeyLayout(), head, heads, 0, count, keyDim, work, dKeys);
        writeRows(h.dValues(), h.dValueLayout(), head, heads, 0, count, valueDim, work, dValues);
      }
      if (sums != null) {
        int queryColumns = heads * keyDim;
        AttentionTiles.addColumnSums(work, dQuery, queries, keyDim, sums, inSample * keyDim);
        AttentionTiles.addColumnSums(work, dKeys, count, keyDim, sums,
            queryColumns + inSample * keyDim);
        AttentionTiles.addColumnSums(work, dValues, count, valueDim, sums,
            2 * queryColumns + inSample * valueDim);
      }
    }
    if (gathered >= 0 && sample >= 0) {
      flush(h, sample, Math.max(from, sample * heads), to, staged, gathered);
    }
  }

  /**
   * Writes the gathered gradients of heads {@code [first, last)} of sample {@code sample}, row by
   * row: in each row, each part's columns of those heads (all of the row for whole samples).
   */
  private static void flush(Heads h, int sample, int first, int last, float[] staged,
      int gathered) {
    int heads = h.heads();
    Layout layout = h.dQueryLayout();
    int width = layout.row();
    int rows = h.queryCount();
    int base = layout.at(sample * heads, heads, 0) - layout.start();
    if (first == sample * heads && last == (sample + 1) * heads) {
      h.dQueries().write(staged, gathered, base, rows * width);
      return;
    }
    Layout[] parts = {h.dQueryLayout(), h.dKeyLayout(), h.dValueLayout()};
    int[] sizes = {h.keyDim(), h.keyDim(), h.valueDim()};
    int from = first - sample * heads;
    int to = last - sample * heads;
    for (int t = 0; t < rows; t++) {
      for (int part = 0; part < parts.length; part++) {
        int column = parts[part].start() + from * sizes[part];
        h.dQueries().write(staged, gathered + t * width + column, base + t * width + column,
            (to - from) * sizes[part]);
      }
    }
  }

  /**
   * Copies rows {@code [first, first + rows)} of head {@code inSample} of a staged sample (laid
   * out from {@code staged[base]} on as {@code layout} lays out a sample) into {@code work[at...]}
   * ({@code in}) or from there into the staged sample.
   */
  private static void copyRows(float[] staged, int base, Layout layout, int inSample, int heads,
      int first, int rows, int size, float[] work, int at, boolean in) {
    int place = base + layout.at(inSample, heads, first);
    for (int r = 0; r < rows; r++, place += layout.row()) {
      if (in) {
        System.arraycopy(staged, place, work, at + r * size, size);
      } else {
        System.arraycopy(work, at + r * size, staged, place, size);
      }
    }
  }

  /**
   * Reads rows {@code [first, first + rows)} of head {@code head} into {@code work[at...]}: the
   * first row's place found once (a division), the others stepped to.
   */
  private static void readRows(FloatLanes lanes, Layout layout, int head, int heads, int first,
      int rows, int size, float[] work, int at) {
    int from = layout.at(head, heads, first);
    if (layout.row() == size) {
      lanes.read(from, work, at, rows * size); // rows adjacent
      return;
    }
    for (int r = 0; r < rows; r++, from += layout.row()) {
      lanes.read(from, work, at + r * size, size);
    }
  }

  /** Writes {@code work[at...]} into rows {@code [first, first + rows)} of head {@code head}. */
  private static void writeRows(FloatLanes lanes, Layout layout, int head, int heads, int first,
      int rows, int size, float[] work, int at) {
    int to = layout.at(head, heads, first);
    if (layout.row() == size) {
      lanes.write(work, at, to, rows * size);
      return;
    }
    for (int r = 0; r < rows; r++, to += layout.row()) {
      lanes.write(work, at + r * size, to, size);
    }
  }
}
