package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.FloatLanes.ORDER;
import static dev.kiln.runtime.kernels.FloatLanes.SPECIES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

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
   * where their layouts say, the probabilities head-major, the context where its layout says.
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
    return 2 * keyDim * keyCount + valueDim * keyCount + 2 * keyDim + 2 * keyCount;
  }

  /**
   * The floats a thread stages a sample's rows of the one projection in ({@link #forward}), or 0
   * where {@code h} reads head-major arrays.
   */
  static int stagedLength(Heads h) {
    return h.biases() == null ? 0 : h.queryCount() * h.queryLayout().row();
  }

  /**
   * Writes the probabilities and the context of heads {@code [from, to)}, two query rows at a
   * time (and a last one alone).
   *
   * <p>Reading the one projection of self-attention ({@code h.biases()} not null), each sample's
   * rows are first staged in {@code staged}, biased and scaled, in one pass in order: a head's
   * rows lie a whole projection row apart (1.5 KB at 4 heads of 32), which the processor's
   * prefetcher does not follow across pages, and read so, a prediction's core took twice as long
   * as on head-major arrays.
   *
   * @param work {@link #workLength} floats: a head's keys transposed and as they are, its
   *     values, two query rows and two rows of probabilities
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
   * {@link #forward(Heads, int, int, float[], float[])}, and where {@code kept} is not null,
   * each staged sample's queries, keys and values written head-major into it too, in place of a
   * pass of {@link HeadMoves#split} over the whole projection.
   */
  static void forward(Heads h, int from, int to, float[] work, float[] staged, Kept kept) {
    int count = h.keyCount();
    int size = h.keyDim();
    int keys = size * count;
    int values = 2 * keys;
    int valueLength = h.valueDim() * count;
    int query = values + valueLength;
    int probabilities = query + 2 * size;
    int queries = h.queryCount();
    int heads = h.heads();
    int sample = -1;
    for (int head = from; head < to; head++) {
      if (staged != null && head / heads != sample) {
        sample = head / heads;
        stage(h, sample, staged);
        if (kept != null) {
          keep(h, sample, staged, kept, from, to);
        }
      }
      readRows(h, h.keys(), h.keyLayout(), head, 0, count, size, work, keys, staged);
      transpose(work, keys, count, size);
      readRows(h, h.values(), h.valueLayout(), head, 0, count, h.valueDim(), work, values,
          staged);
      int first = head * queries;
      int i = 0;
      for (; i + 2 <= queries; i += 2) {
        int row = first + i;
        readRows(h, h.queries(), h.queryLayout(), head, i, 2, size, work, query, staged);
        scoresRows(work, size, count, query, probabilities);
        softmaxRows(work, probabilities, count);
        h.scores().write(work, probabilities, row * count, 2 * count);
        contextRows(h, h.contextLayout().at(head, heads, i), work, values, probabilities, 2);
      }
      if (i < queries) {
        int row = first + i;
        readRows(h, h.queries(), h.queryLayout(), head, i, 1, size, work, query, staged);
        java.util.Arrays.fill(work, query + size, query + 2 * size, 0f); // a zero second row
        scoresRows(work, size, count, query, probabilities);
        softmaxRow(work, probabilities, count);
        h.scores().write(work, probabilities, row * count, count);
        contextRows(h, h.contextLayout().at(head, heads, i), work, values, probabilities, 1);
      }
    }
  }

  /** {@link #forward} of heads whose arrays are head-major or need no staging. */
  static void forward(Heads h, int from, int to, float[] work) {
    forward(h, from, to, work, h.biases() == null ? null : new float[stagedLength(h)]);
  }

  /**
   * Reads rows {@code [first, first + rows)} of head {@code head} into {@code work[at...]}, one
   * after the other: from the lanes, or where {@code staged} is not null, from its sample's
   * staged rows.
   */
  private static void readRows(Heads h, FloatLanes lanes, Layout layout, int head, int first,
      int rows, int size, float[] work, int at, float[] staged) {
    int heads = h.heads();
    if (staged != null) {
      for (int r = 0, from = layout.at(head % heads, heads, first), to = at; r < rows;
          r++, from += layout.row(), to += size) {
        System.arraycopy(staged, from, work, to, size);
      }
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

  /**
   * Stages sample {@code sample}'s rows of the one projection (the queries' lanes and layout):
   * {@code staged[t * width + j] = (row_t[j] + biases[j]) * scale_j}, {@code scale_j} the queries'
   * scale in their columns and 1 after, in the order of {@link HeadMoves#split}'s float loop, so
   * that both give the same floats.
   */
  private static void stage(Heads h, int sample, float[] staged) {
    Layout layout = h.queryLayout();
    int width = layout.row();
    int queryColumns = h.heads() * h.keyDim();
    float[] biases = h.biases();
    int from = sample * layout.sample();
    int rows = h.queryCount();
    h.queries().read(from, staged, 0, rows * width);
    for (int t = 0, at = 0; t < rows; t++, at += width) {
      biasRow(staged, at, biases, 0, queryColumns, h.queryScale());
      biasRow(staged, at + queryColumns, biases, queryColumns, width - queryColumns, 1);
    }
  }

  /**
   * Writes the staged rows of sample {@code sample}'s heads among {@code [from, to)} head-major
   * into {@code kept}: queries, keys, values.
   */
  private static void keep(Heads h, int sample, float[] staged, Kept kept, int from, int to) {
    int heads = h.heads();
    int steps = h.queryCount();
    int width = h.queryLayout().row();
    FloatLanes[] parts = {kept.queries(), kept.keys(), kept.values()};
    int[] sizes = {h.keyDim(), h.keyDim(), h.valueDim()};
    int first = Math.max(from, sample * heads);
    int last = Math.min(to, (sample + 1) * heads);
    for (int part = 0, column = 0; part < parts.length; part++) {
      int size = sizes[part];
      for (int head = first; head < last; head++) {
        int in = column + (head - sample * heads) * size;
        for (int t = 0, at = head * steps * size; t < steps; t++, in += width, at += size) {
          parts[part].write(staged, in, at, size);
        }
      }
      column += heads * size;
    }
  }

  /**
   * {@code row[at + j] = (row[at + j] + biases[biasAt + j]) * scale} for {@code j < length}: a
   * plain loop, which C2 vectorizes, rather than Vector API calls, which a JVM with a long history
   * of compiled lanes kernels sometimes left boxed here (a training forward pass allocating up to
   * 330 KB).
   */
  private static void biasRow(float[] row, int at, float[] biases, int biasAt, int length,
      float scale) {
    for (int j = 0; j < length; j++) {
      row[at + j] = (row[at + j] + biases[biasAt + j]) * scale;
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

  /**
   * The softmax of the two rows {@code work[from, from + count)} and the {@code count} after it,
   * in place, side by side: each row is a chain of dependent steps (a maximum across lanes, the
   * exponentials' sum across lanes, a division), and two chains keep the core busier than one.
   */
  private static void softmaxRows(float[] work, int from, int count) {
    int width = SPECIES.length();
    int second = from + count;
    FloatVector maxA = FloatVector.fromArray(SPECIES, work, from);
    FloatVector maxB = FloatVector.fromArray(SPECIES, work, second);
    for (int at = width; at < count; at += width) {
      maxA = maxA.max(FloatVector.fromArray(SPECIES, work, from + at));
      maxB = maxB.max(FloatVector.fromArray(SPECIES, work, second + at));
    }
    float largestA = maxA.reduceLanes(VectorOperators.MAX);
    float largestB = maxB.reduceLanes(VectorOperators.MAX);
    FloatVector sumA = FloatVector.zero(SPECIES);
    FloatVector sumB = sumA;
    for (int at = 0; at < count; at += width) {
      FloatVector a = FloatVector.fromArray(SPECIES, work, from + at).sub(largestA)
          .lanewise(VectorOperators.EXP);
      FloatVector b = FloatVector.fromArray(SPECIES, work, second + at).sub(largestB)
          .lanewise(VectorOperators.EXP);
      a.intoArray(work, from + at);
      b.intoArray(work, second + at);
      sumA = sumA.add(a);
      sumB = sumB.add(b);
    }
    float inverseA = 1 / sumA.reduceLanes(VectorOperators.ADD);
    float inverseB = 1 / sumB.reduceLanes(VectorOperators.ADD);
    for (int at = 0; at < count; at += width) {
      FloatVector.fromArray(SPECIES, work, from + at).mul(inverseA).intoArray(work, from + at);
      FloatVector.fromArray(SPECIES, work, second + at).mul(inverseB)
          .intoArray(work, second + at);
    }
  }

  /** The softmax of {@code work[from, from + count)}, in place. */
  private static void softmaxRow(float[] work, int from, int count) {
    int width = SPECIES.length();
    int end = from + count;
    FloatVector max = FloatVector.fromArray(SPECIES, work, from);
    for (int at = from + width; at < end; at += width) {
      max = max.max(FloatVector.fromArray(SPECIES, work, at));
    }
    float largest = max.reduceLanes(VectorOperators.MAX);
    FloatVector sum = FloatVector.zero(SPECIES);
    for (int at = from; at < end; at += width) {
      FloatVector e = FloatVector.fromArray(SPECIES, work, at).sub(largest)
          .lanewise(VectorOperators.EXP);
      e.intoArray(work, at);
      sum = sum.add(e);
    }
    float inverse = 1 / sum.reduceLanes(VectorOperators.ADD);
    for (int at = from; at < end; at += width) {
      FloatVector.fromArray(SPECIES, work, at).mul(inverse).intoArray(work, at);
    }
  }

  /**
   * {@code context[r, :] = P[r, :] . V} for {@code rows} (1 or 2) query rows of a head, the first
   * written from element {@code first} of the context on and the second a context row after it, the
   * head's values and the rows' probabilities from {@code work}: two vectors of value columns at
   * a time, the two rows' sums apart (one row's even and odd value steps apart), so that four
   * sums are in flight.
   */
  private static void contextRows(Heads h, int first, float[] work, int values,
      int probabilities, int rows) {
    FloatLanes context = h.context();
    int count = h.keyCount();
    int size = h.valueDim();
    int width = SPECIES.length();
    int out = context.base + first * Float.BYTES;
    boolean two = rows == 2;
    int second = two ? probabilities + count : probabilities + 1;
    int secondStep = two ? 0 : size;
    int jStep = two ? 1 : 2;
    for (int c = 0; c < size; c += 2 * width) {
      // a whole number of vectors; an odd last one is paired with itself, its pair not stored
      int other = c + width < size ? width : 0;
      FloatVector a0 = FloatVector.zero(SPECIES);
      FloatVector a1 = a0;
      FloatVector b0 = a0;
      FloatVector b1 = a0;
      int at = values + c;
      for (int j = 0; j < count; j += jStep, at += jStep * size) {
        FloatVector pa = FloatVector.broadcast(SPECIES, work[probabilities + j]);
        FloatVector pb = FloatVector.broadcast(SPECIES, work[second + j]);
        FloatVector v0 = FloatVector.fromArray(SPECIES, work, at);
        FloatVector v1 = FloatVector.fromArray(SPECIES, work, at + other);
        FloatVector w0 = FloatVector.fromArray(SPECIES, work, at + secondStep);
        FloatVector w1 = FloatVector.fromArray(SPECIES, work, at + secondStep + other);
        a0 = v0.fma(pa, a0);
        a1 = v1.fma(pa, a1);
        b0 = w0.fma(pb, b0);
        b1 = w1.fma(pb, b1);
      }
      int bytes = c * Float.BYTES;
      int otherBytes = other * Float.BYTES;
      int secondRow = h.contextLayout().row() * Float.BYTES;
      if (two) {
        a0.intoByteBuffer(context.buffer, out + bytes, ORDER);
        b0.intoByteBuffer(context.buffer, out + secondRow + bytes, ORDER);
        if (other != 0) {
          a1.intoByteBuffer(context.buffer, out + bytes + otherBytes, ORDER);
          b1.intoByteBuffer(context.buffer, out + secondRow + bytes + otherBytes, ORDER);
        }
      } else {
        a0.add(b0).intoByteBuffer(context.buffer, out + bytes, ORDER);
        if (other != 0) {
          a1.add(b1).intoByteBuffer(context.buffer, out + bytes + otherBytes, ORDER);
        }
      }
    }
  }
}
