package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.FloatLanes.SPECIES;

import dev.kiln.runtime.kernels.AttentionLanes.Layout;
import jdk.incubator.vector.FloatVector;

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

  /** Query rows a head's loop takes at a time. */
  private static final int ROWS = 4;

  /** The floats of work a thread needs for heads of these sizes. */
  static int workLength(int keyCount, int keyDim, int valueDim) {
    return 2 * valueDim * keyCount + 2 * keyDim * keyCount + (2 * ROWS + 1) * keyDim
        + ROWS * valueDim + 2 * ROWS * keyCount;
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
   * Writes the gradients of the queries, keys and values of heads {@code [from, to)}, {@link
   * #ROWS} query rows at a time (zero rows after the last); with {@code sums} not null, adds the
   * column sums of every row written to it: queries' columns first ({@code heads * keyDim}), then
   * keys', then values'.
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
    // work: V^T (must start at 0, see AttentionLanes.transpose), V then dV, K, dK, four rows
    // each of Q, dC, dS, P and dQ, and the queries' gradient summed over the head's rows
    int dValues = valueDim * count;
    int keys = 2 * dValues;
    int dKeys = keys + keyDim * count;
    int query = dKeys + keyDim * count;
    int dContext = query + ROWS * keyDim;
    int dScores = dContext + ROWS * valueDim;
    int probabilities = dScores + ROWS * count;
    int dQuery = probabilities + ROWS * count;
    int querySums = dQuery + ROWS * keyDim;
    int queries = h.queryCount();
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
      readRows(h.values(), h.valueLayout(), head, heads, 0, count, valueDim, work, dValues);
      AttentionLanes.transpose(work, dValues, count, valueDim);
      java.util.Arrays.fill(work, dValues, dValues + valueDim * count, 0f);
      readRows(h.keys(), h.keyLayout(), head, heads, 0, count, keyDim, work, keys);
      java.util.Arrays.fill(work, dKeys, dKeys + keyDim * count, 0f);
      java.util.Arrays.fill(work, querySums, querySums + keyDim, 0f);
      for (int i = 0; i < queries; i += ROWS) {
        int rows = Math.min(ROWS, queries - i);
        if (rows < ROWS) { // zero rows after the last: their gradients add nothing
          java.util.Arrays.fill(work, query + rows * keyDim, query + ROWS * keyDim, 0f);
          java.util.Arrays.fill(work, dContext + rows * valueDim, dContext + ROWS * valueDim, 0f);
          java.util.Arrays.fill(work, probabilities + rows * count, probabilities + ROWS * count,
              0f);
        }
        readRows(h.queries(), h.queryLayout(), head, heads, i, rows, keyDim, work, query);
        copyRows(staged, 0, h.dContextLayout(), inSample, heads, i, rows, valueDim, work,
            dContext, true);
        h.probabilities().read((head * queries + i) * count, work, probabilities, rows * count);
        for (int r = 0; r < ROWS; r += 2) {
          AttentionLanes.scoresRows(work, valueDim, count, dContext + r * valueDim,
              dScores + r * count);
          AttentionBackwardLanes.softmaxGradientRow(work, probabilities + r * count,
              dScores + r * count, count);
          AttentionBackwardLanes.softmaxGradientRow(work, probabilities + (r + 1) * count,
              dScores + (r + 1) * count, count);
          rowsTimes(work, dScores + r * count, count, keys, keyDim, dQuery + r * keyDim,
              h.dQueryScale());
        }
        if (gathered >= 0) {
          copyRows(staged, gathered, h.dQueryLayout(), inSample, heads, i, rows, keyDim, work,
              dQuery, false);
        } else {
          writeRows(h.dQueries(), h.dQueryLayout(), head, heads, i, rows, keyDim, work, dQuery);
        }
        if (sums != null) {
          addRows(work, dQuery, rows, keyDim, querySums);
        }
        addOuter(work, dScores, count, query, keyDim, dKeys);
        addOuter(work, probabilities, count, dContext, valueDim, dValues);
      }
      if (gathered >= 0) {
        copyRows(staged, gathered, h.dKeyLayout(), inSample, heads, 0, count, keyDim, work, dKeys,
            false);
        copyRows(staged, gathered, h.dValueLayout(), inSample, heads, 0, count, valueDim, work,
            dValues, false);
      } else {
        writeRows(h.dKeys(), h.dKeyLayout(), head, heads, 0, count, keyDim, work, dKeys);
        writeRows(h.dValues(), h.dValueLayout(), head, heads, 0, count, valueDim, work, dValues);
      }
      if (sums != null) {
        int queryColumns = heads * keyDim;
        addSums(work, querySums, 1, keyDim, sums, inSample * keyDim);
        addSums(work, dKeys, count, keyDim, sums, queryColumns + inSample * keyDim);
        addSums(work, dValues, count, valueDim, sums, 2 * queryColumns + inSample * valueDim);
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

  /** Adds {@code rows} rows of {@code size} from {@code work[from...]} to {@code work[to...]}. */
  private static void addRows(float[] work, int from, int rows, int size, int to) {
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < size; j++) {
        work[to + j] += work[from + r * size + j];
      }
    }
  }

  /**
   * Adds the column sums of {@code rows} rows of {@code size} from {@code work[from...]}, summed
   * in float as the merge of {@link HeadMoves} sums a block, to {@code sums[at...]}.
   */
  private static void addSums(float[] work, int from, int rows, int size, double[] sums,
      int at) {
    for (int j = 0; j < size; j++) {
      float sum = 0;
      for (int r = 0; r < rows; r++) {
        sum += work[from + r * size + j];
      }
      sums[at + j] += sum;
    }
  }

  /*
   * Every call on a vector in the methods below is the Vector API's own: a FloatVector that
   * crosses a call C2 leaves out of line is boxed on the heap (see LstmLanes).
   */

  /**
   * {@code work[out + r * size + c] = scale * sum_j work[rows + r * count + j] * work[matrix + j *
   * size + c]} for the two rows {@code r}: a vector of columns at a time, each row's even and odd
   * steps apart so that four sums are in flight.
   */
  private static void rowsTimes(float[] work, int rows, int count, int matrix, int size, int out,
      float scale) {
    int width = SPECIES.length();
    int second = rows + count;
    for (int c = 0; c < size; c += width) {
      FloatVector a0 = FloatVector.zero(SPECIES);
      FloatVector a1 = a0;
      FloatVector b0 = a0;
      FloatVector b1 = a0;
      for (int j = 0, at = matrix + c; j < count; j += 2, at += 2 * size) {
        FloatVector m0 = FloatVector.fromArray(SPECIES, work, at);
        FloatVector m1 = FloatVector.fromArray(SPECIES, work, at + size);
        a0 = m0.fma(FloatVector.broadcast(SPECIES, work[rows + j]), a0);
        a1 = m1.fma(FloatVector.broadcast(SPECIES, work[rows + j + 1]), a1);
        b0 = m0.fma(FloatVector.broadcast(SPECIES, work[second + j]), b0);
        b1 = m1.fma(FloatVector.broadcast(SPECIES, work[second + j + 1]), b1);
      }
      a0.add(a1).mul(scale).intoArray(work, out + c);
      b0.add(b1).mul(scale).intoArray(work, out + size + c);
    }
  }

  /**
   * {@code work[sum + j * size + c] += sum_r work[coefficients + r * count + j] * work[rows + r *
   * size + c]} over the {@link #ROWS} rows {@code r}: their outer products added to a {@code
   * (count, size)} sum, each vector of the sum loaded and stored once for all of them.
   */
  private static void addOuter(float[] work, int coefficients, int count, int rows, int size,
      int sum) {
    int width = SPECIES.length();
    int c1 = coefficients + count;
    int c2 = c1 + count;
    int c3 = c2 + count;
    for (int c = 0; c < size; c += width) {
      FloatVector r0 = FloatVector.fromArray(SPECIES, work, rows + c);
      FloatVector r1 = FloatVector.fromArray(SPECIES, work, rows + size + c);
      FloatVector r2 = FloatVector.fromArray(SPECIES, work, rows + 2 * size + c);
      FloatVector r3 = FloatVector.fromArray(SPECIES, work, rows + 3 * size + c);
      for (int j = 0, at = sum + c; j < count; j++, at += size) {
        FloatVector added = r0.fma(FloatVector.broadcast(SPECIES, work[coefficients + j]),
            FloatVector.fromArray(SPECIES, work, at));
        added = r1.fma(FloatVector.broadcast(SPECIES, work[c1 + j]), added);
        added = r2.fma(FloatVector.broadcast(SPECIES, work[c2 + j]), added);
        r3.fma(FloatVector.broadcast(SPECIES, work[c3 + j]), added).intoArray(work, at);
      }
    }
  }
}
