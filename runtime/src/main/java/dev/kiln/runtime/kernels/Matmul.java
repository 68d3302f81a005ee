package dev.kiln.runtime.kernels;

import dev.kiln.runtime.SecondThread;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * {@code c = op(a) . op(b)} over the rows of the last axis, by libnd4j's matmul (oneDNN where the
 * backend has it), each product bound once to its arrays.
 *
 * <p>Why bound: {@code Nd4j.gemm} builds an op, a native context and its arguments on every call,
 * about 4.6 KB of Java heap and tens of microseconds before the arithmetic starts, while a
 * training step multiplies the same arrays every time. So each thread keeps the native contexts
 * of the products it ran last, found again by the identity of their arrays, and runs a found one
 * straight through libnd4j's entry point. A context cannot be rebound to other arrays (libnd4j
 * keeps every array ever set on it until it is deleted), so another array means another context.
 *
 * <p>Small products skip libnd4j: {@link CallerBlas} runs them on the calling thread. Float32
 * products from {@link #HALVES_WORK} multiply-adds run as two halves of their rows, one on the
 * caller and one on {@link SecondThread}'s helper, each bound like a whole product.
 *
 * <p>The contexts hold their arrays: up to {@link #CAPACITY} products' arrays per thread stay
 * reachable until newer products push them out.
 */
final class Matmul {

  /**
   * Products remembered per thread: a model's two batch sizes, three per Dense layer, about 30 per
   * attention layer.
   */
  static final int CAPACITY = 192;

  private static final NativeOps NATIVE = NativeOpsHolder.getInstance().getDeviceNativeOps();

  /**
   * Multiply-adds from which a float32 product runs as two halves of its rows, one on the caller
   * and one on {@link SecondThread}'s helper, each on one OpenMP thread: waking libnd4j's second
   * OpenMP thread cost 60-100 us a product in the MLP's prediction (PASSIVE wait policy), while
   * the helper is still watching from its last part. Below, the halves cost more than they save.
   */
  static final long HALVES_WORK = 1L << 20;

  private static final ThreadLocal<Recent> RECENT = ThreadLocal.withInitial(Recent::new);

  private Matmul() {}

  /**
   * Writes {@code op(a) . op(b)} into {@code c}, each seen as rows of its last axis ({@link
   * Rows#ofLastAxis}); {@code op} transposes when asked.
   */
  static void rows(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB) {
    rows(a, b, c, transposeA, transposeB, false);
  }

  /**
   * Writes {@code op(a) . op(b)} into {@code c}, or with {@code accumulate} adds it to {@code c},
   * each seen as rows of its last axis.
   */
  static void rows(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB,
      boolean accumulate) {
    if (!(rowsAreViews(a) && rowsAreViews(b) && rowsAreViews(c))) {
      // Seen as rows, such an array is a copy, which a bound context would never see change.
      Nd4j.gemm(Rows.ofLastAxis(a), Rows.ofLastAxis(b), Rows.ofLastAxis(c), transposeA,
          transposeB, 1.0, accumulate ? 1.0 : 0.0);
      return;
    }
    bound(a, b, c, transposeA, transposeB, accumulate, false).run();
  }

  /**
   * Writes {@code op(a[i]) . op(b[i])} into {@code c[i]} for each {@code i} of the leading axis
   * of three rank-3 arrays, in one libnd4j call: the products of attention's heads. The arrays
   * must be the same objects from call to call (views cached by {@link SameViews}), or each call
   * binds a new context.
   */
  static void batched(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB) {
    bound(a, b, c, transposeA, transposeB, false, true).run();
  }

  /** The context of the product, found again by its arrays' identity or bound now. */
  private static Bound bound(INDArray a, INDArray b, INDArray c, boolean transposeA,
      boolean transposeB, boolean accumulate, boolean batched) {
    Recent recent = RECENT.get();
    Bound[] bound = recent.bound;
    long now = ++recent.clock;
    Bound found = null;
    int oldest = 0;
    for (int i = 0; i < bound.length; i++) {
      Bound candidate = bound[i];
      if (candidate == null) {
        oldest = i;
        break;
      }
      if (candidate.matches(a, b, c, transposeA, transposeB, accumulate)) {
        found = candidate;
        break;
      }
      if (candidate.lastUsed < bound[oldest].lastUsed) {
        oldest = i;
      }
    }
    if (found == null) {
      if (bound[oldest] != null) {
        bound[oldest].close();
      }
      found = new Bound(a, b, c, transposeA, transposeB, accumulate, batched);
      bound[oldest] = found;
    }
    found.lastUsed = now;
    return found;
  }

  /** Whether {@link Rows#ofLastAxis} gives a view of {@code array}, not a copy. */
  private static boolean rowsAreViews(INDArray array) {
    return array.rank() == 2 || array.ordering() == 'c' && array.elementWiseStride() == 1;
  }

  /** A thread's recently run products, and a clock to tell the least recently used. */
  private static final class Recent {
    final Bound[] bound = new Bound[CAPACITY];
    long clock;
  }

  /** One product's native context, bound to its arrays. */
  private static final class Bound {
    private final INDArray a;
    private final INDArray b;
    private final INDArray c;
    private final boolean transposeA;
    private final boolean transposeB;
    private final boolean accumulate;
    /** The product on the calling thread, for small ones; else null and libnd4j's context. */
    private final CallerBlas onCaller;
    /** The product as two halves of its rows, for large float32 ones; else null. */
    private final Halves halves;
    private final long hash;
    private final OpContext context;
    long lastUsed;

    Bound(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB,
        boolean accumulate, boolean batched) {
      this(a, b, c, transposeA, transposeB, accumulate, batched, true);
    }

    /** {@code splits}: whether this product may run in halves (a half does not split again). */
    private Bound(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB,
        boolean accumulate, boolean batched, boolean splits) {
      this.a = a;
      this.b = b;
      this.c = c;
      this.transposeA = transposeA;
      this.transposeB = transposeB;
      this.accumulate = accumulate;
      INDArray aRows = batched ? a : Rows.ofLastAxis(a);
      INDArray bRows = batched ? b : Rows.ofLastAxis(b);
      INDArray cRows = batched ? c : Rows.ofLastAxis(c);
      this.halves = splits && Halves.suit(aRows, cRows, transposeA, batched)
          ? new Halves(aRows, bRows, cRows, transposeB, accumulate) : null;
      if (halves != null) {
        this.onCaller = null;
        this.hash = 0;
        this.context = null;
        return;
      }
      this.onCaller =
          batched ? null : CallerBlas.of(aRows, bRows, cRows, transposeA, transposeB, accumulate);
      if (onCaller != null) {
        this.hash = 0;
        this.context = null;
        return;
      }
      MMulTranspose transposes =
          MMulTranspose.builder().transposeA(transposeA).transposeB(transposeB).build();
      Mmul op = new Mmul(aRows, bRows, cRows, 1.0, accumulate ? 1.0 : 0.0, transposes);
      this.hash = op.opHash();
      this.context = Nd4j.getExecutioner().buildContext();
      context.setInputArrays(aRows, bRows);
      context.setOutputArrays(cRows);
      context.setIArguments(op.iArgs());
      context.setTArguments(op.tArgs());
    }

    boolean matches(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB,
        boolean accumulate) {
      return this.a == a && this.b == b && this.c == c && this.transposeA == transposeA
          && this.transposeB == transposeB && this.accumulate == accumulate;
    }

    /** Deletes the native contexts. */
    void close() {
      if (halves != null) {
        halves.close();
        return;
      }
      if (context == null) {
        return;
      }
      try {
        context.close();
      } catch (Exception e) {
        throw new IllegalStateException("could not delete a native matmul context", e);
      }
    }

    void run() {
      if (halves != null) {
        halves.run();
        return;
      }
      if (onCaller != null) {
        onCaller.run();
        return;
      }
      if (NATIVE.execCustomOp2(null, hash, context.contextPointer()) != 0
          || NATIVE.lastErrorCode() != 0) {
        throw new IllegalStateException("matmul failed: " + NATIVE.lastErrorMessage());
      }
    }
  }

  /**
   * A product as two halves of its rows, each bound like a whole product: the first runs on the
   * caller, the second on {@link SecondThread}'s helper, each on one OpenMP thread.
   */
  private static final class Halves {
    private final Bound top;
    private final Bound bottom;
    /** The halves' runs, made once: a step allocates nothing on the heap for them. */
    private final Runnable topRun;
    private final Runnable bottomRun;

    Halves(INDArray aRows, INDArray bRows, INDArray cRows, boolean transposeB,
        boolean accumulate) {
      long half = cRows.size(0) / 2;
      long all = cRows.size(0);
      top = new Bound(rows(aRows, 0, half), bRows, rows(cRows, 0, half), false, transposeB,
          accumulate, false, false);
      bottom = new Bound(rows(aRows, half, all), bRows, rows(cRows, half, all), false, transposeB,
          accumulate, false, false);
      topRun = () -> onOneThread(top);
      bottomRun = () -> onOneThread(bottom);
    }

    /**
     * Whether a product runs in halves: float32, {@link #HALVES_WORK} multiply-adds or more, rows
     * of {@code a} that are rows of the result, and a helper thread to run one half.
     */
    static boolean suit(INDArray a, INDArray c, boolean transposeA, boolean batched) {
      return SecondThread.ENABLED && !batched && !transposeA && c.dataType() == DataType.FLOAT
          && c.size(0) >= 2 && c.size(0) * c.size(1) * a.size(1) >= HALVES_WORK;
    }

    void run() {
      SecondThread.run(bottomRun, topRun);
    }

    void close() {
      top.close();
      bottom.close();
    }

    /**
     * A half, beside the other half on the other thread: one OpenMP thread each (or both halves
     * on the caller, one after the other, when the helper did not take its half in time).
     */
    private static void onOneThread(Bound half) {
      int threads = NATIVE.ompGetMaxThreads();
      NATIVE.setOmpNumThreads(1);
      try {
        half.run();
      } finally {
        NATIVE.setOmpNumThreads(threads);
      }
    }

    /** Rows {@code [from, to)} of a matrix, a view (any strides, unlike BatchHalves.rows). */
    private static INDArray rows(INDArray matrix, long from, long to) {
      return matrix.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
    }
  }
}
