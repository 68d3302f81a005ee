package dev.kiln.runtime.kernels;

import dev.kiln.runtime.NdArrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The arrays a {@link MultiHeadAttention} call works in, per thread and shape, allocated once:
 * the projections side by side (the forward pass's, reused by the backward pass for their
 * gradients), the heads' results before they are merged, and the backward pass's gradients of the
 * heads; for self-attention, the three projections' kernels side by side and their gradient, so
 * that they are one product ({@link Heads#projectJoint}). Found again without allocating, by
 * comparing sizes, so that layers of one shape share them.
 */
final class AttentionWork {

  /** Shapes remembered per thread: a model's two batch sizes of a few attention layers. */
  private static final int CAPACITY = 16;

  private static final ThreadLocal<AttentionWork[]> RECENT =
      ThreadLocal.withInitial(() -> new AttentionWork[CAPACITY]);

  private static final ThreadLocal<int[]> NEXT = ThreadLocal.withInitial(() -> new int[1]);

  private final DataType dataType;
  private final long n;
  private final long heads;
  private final long queries;
  private final long keys;
  private final long keyDim;
  private final long valueDim;
  private final long inputWidth;

  /**
   * The three projections of self-attention side by side, {@code (n, T, heads * (2 * keyDim +
   * valueDim))}, in the same memory as the three below; null where the query's and the value's
   * steps differ.
   */
  final INDArray jointProjection;
  /** {@code (inputWidth, heads * (2 * keyDim + valueDim))}, or null as {@link #jointProjection} */
  final INDArray jointKernel;
  /** Shaped like {@link #jointKernel} */
  final INDArray jointKernelGradient;
  /**
   * The column sums of the one projection's gradient, {@code heads * (2 * keyDim + valueDim)}
   * each, of the calling thread and of the second thread ({@link AttentionGradientLanes}); null
   * as {@link #jointProjection}
   */
  final double[][] jointBiasSums;
  /** {@code (n, Tq, heads * keyDim)} */
  final INDArray queryProjection;
  /** {@code (n, Tv, heads * keyDim)} */
  final INDArray keyProjection;
  /** {@code (n, Tv, heads * valueDim)} */
  final INDArray valueProjection;
  /** {@code (n, heads, Tq, valueDim)} */
  final INDArray headContext;
  /** {@code (n, Tq, heads * valueDim)} */
  final INDArray dContext;
  /** {@code (n, heads, Tq, valueDim)} */
  final INDArray dHeadContext;
  /** {@code (n, heads, Tv, valueDim)} */
  final INDArray dValues;
  /** {@code (n, heads, Tq, Tv)} */
  final INDArray dScores;
  /** {@code (n, heads, Tq, keyDim)} */
  final INDArray dQueries;
  /** {@code (n, heads, Tv, keyDim)} */
  final INDArray dKeys;

  private AttentionWork(DataType dataType, long n, long heads, long queries, long keys,
      long keyDim, long valueDim, long inputWidth) {
    this.dataType = dataType;
    this.n = n;
    this.heads = heads;
    this.queries = queries;
    this.keys = keys;
    this.keyDim = keyDim;
    this.valueDim = valueDim;
    this.inputWidth = inputWidth;
    long queryLength = n * queries * heads * keyDim;
    long keyLength = n * keys * heads * keyDim;
    INDArray projections =
        NdArrays.zeros(dataType, queryLength + keyLength + n * keys * heads * valueDim);
    queryProjection = NdArrays.view(projections, 0, n, queries, heads * keyDim);
    keyProjection = NdArrays.view(projections, queryLength, n, keys, heads * keyDim);
    valueProjection =
        NdArrays.view(projections, queryLength + keyLength, n, keys, heads * valueDim);
    long width = heads * (2 * keyDim + valueDim);
    boolean joint = queries == keys;
    jointProjection = joint ? NdArrays.view(projections, 0, n, queries, width) : null;
    jointKernel = joint ? NdArrays.zeros(dataType, inputWidth, width) : null;
    jointKernelGradient = joint ? NdArrays.zeros(dataType, inputWidth, width) : null;
    jointBiasSums = joint ? new double[2][(int) width] : null;
    headContext = NdArrays.zeros(dataType, n, heads, queries, valueDim);
    dContext = NdArrays.zeros(dataType, n, queries, heads * valueDim);
    dHeadContext = NdArrays.zeros(dataType, n, heads, queries, valueDim);
    dValues = NdArrays.zeros(dataType, n, heads, keys, valueDim);
    dScores = NdArrays.zeros(dataType, n, heads, queries, keys);
    dQueries = NdArrays.zeros(dataType, n, heads, queries, keyDim);
    dKeys = NdArrays.zeros(dataType, n, heads, keys, keyDim);
  }

  /**
   * The work arrays for a layer whose forward pass writes {@code trace} and whose query has
   * {@code inputWidth} features.
   */
  static AttentionWork of(MultiHeadAttention.Trace trace, MultiHeadAttention.Settings s,
      long inputWidth) {
    INDArray scores = trace.scores();
    DataType dataType = scores.dataType();
    long n = scores.size(0);
    long queries = scores.size(2);
    long keys = scores.size(3);
    AttentionWork[] recent = RECENT.get();
    for (AttentionWork work : recent) {
      if (work != null && work.dataType == dataType && work.n == n && work.heads == s.heads()
          && work.queries == queries && work.keys == keys && work.keyDim == s.keyDim()
          && work.valueDim == s.valueDim() && work.inputWidth == inputWidth) {
        return work;
      }
    }
    int[] next = NEXT.get();
    AttentionWork work = new AttentionWork(dataType, n, s.heads(), queries, keys, s.keyDim(),
        s.valueDim(), inputWidth);
    recent[next[0]] = work;
    next[0] = (next[0] + 1) % CAPACITY;
    return work;
  }
}
