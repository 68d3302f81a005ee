package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;
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
 * <p>The contexts hold their arrays: up to {@link #CAPACITY} products' arrays per thread stay
 * reachable until newer products push them out.
 */
final class Matmul {

  /** Products remembered per thread: a model's two batch sizes, three per Dense layer. */
  static final int CAPACITY = 96;

  private static final NativeOps NATIVE = NativeOpsHolder.getInstance().getDeviceNativeOps();

  private static final ThreadLocal<Recent> RECENT = ThreadLocal.withInitial(Recent::new);

  private Matmul() {}

  /**
   * Writes {@code op(a) . op(b)} into {@code c}, each seen as rows of its last axis ({@link
   * Rows#ofLastAxis}); {@code op} transposes when asked.
   */
  static void rows(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB) {
    if (!(rowsAreViews(a) && rowsAreViews(b) && rowsAreViews(c))) {
      // Seen as rows, such an array is a copy, which a bound context would never see change.
      Nd4j.gemm(Rows.ofLastAxis(a), Rows.ofLastAxis(b), Rows.ofLastAxis(c), transposeA,
          transposeB, 1.0, 0.0);
      return;
    }
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
      if (candidate.matches(a, b, c, transposeA, transposeB)) {
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
      found = new Bound(a, b, c, transposeA, transposeB);
      bound[oldest] = found;
    }
    found.lastUsed = now;
    found.run();
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
    private final long hash;
    private final OpContext context;
    long lastUsed;

    Bound(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB) {
      this.a = a;
      this.b = b;
      this.c = c;
      this.transposeA = transposeA;
      this.transposeB = transposeB;
      INDArray aRows = Rows.ofLastAxis(a);
      INDArray bRows = Rows.ofLastAxis(b);
      INDArray cRows = Rows.ofLastAxis(c);
      MMulTranspose transposes =
          MMulTranspose.builder().transposeA(transposeA).transposeB(transposeB).build();
      Mmul op = new Mmul(aRows, bRows, cRows, 1.0, 0.0, transposes);
      this.hash = op.opHash();
      this.context = Nd4j.getExecutioner().buildContext();
      context.setInputArrays(aRows, bRows);
      context.setOutputArrays(cRows);
      context.setIArguments(op.iArgs());
      context.setTArguments(op.tArgs());
    }

    boolean matches(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB) {
      return this.a == a && this.b == b && this.c == c
          && this.transposeA == transposeA && this.transposeB == transposeB;
    }

    /** Deletes the native context. */
    void close() {
      try {
        context.close();
      } catch (Exception e) {
        throw new IllegalStateException("could not delete a native matmul context", e);
      }
    }

    void run() {
      if (NATIVE.execCustomOp2(null, hash, context.contextPointer()) != 0
          || NATIVE.lastErrorCode() != 0) {
        throw new IllegalStateException("matmul failed: " + NATIVE.lastErrorMessage());
      }
    }
  }
}
