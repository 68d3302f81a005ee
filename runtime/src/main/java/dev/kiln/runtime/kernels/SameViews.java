package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reshaped views of long-lived arrays (parameters, a model's buffers) that come back as the same
 * object on every call, so that a product bound to them ({@link Matmul}) is found again and a
 * steady step creates no view: attention sees its {@code (in, heads, size)} kernels as matrices
 * and its {@code (n, heads, steps, size)} buffers as {@code n * heads} matrices. Per thread, the
 * most recently used {@link #CAPACITY} arrays, each with the one shape it was last asked for.
 */
final class SameViews {

  /** Arrays remembered per thread: two batch sizes of a few attention layers. */
  static final int CAPACITY = 256;

  private static final class Entry {
    INDArray array;
    INDArray view;
    long lastUsed;
  }

  private static final class Recent {
    final Entry[] entries = new Entry[CAPACITY];
    long clock;
  }

  private static final ThreadLocal<Recent> RECENT = ThreadLocal.withInitial(Recent::new);

  private SameViews() {}

  /** {@code array} seen as {@code (rows, columns)}, row-major. */
  static INDArray matrix(INDArray array, long rows, long columns) {
    Entry entry = entry(array);
    INDArray view = entry.view;
    if (view == null || view.rank() != 2 || view.size(0) != rows || view.size(1) != columns) {
      entry.view = view = Views.reshaped(array, rows, columns);
    }
    return view;
  }

  /**
   * {@code rows * columns} values of {@code array}'s buffer from its first on, row-major, which
   * may run past {@code array} into what follows it there (a kernel's gradient and its bias's).
   */
  static INDArray matrixOver(INDArray array, long rows, long columns) {
    Entry entry = entry(array);
    INDArray view = entry.view;
    if (view == null || view.rank() != 2 || view.size(0) != rows || view.size(1) != columns) {
      entry.view = view = dev.kiln.runtime.NdArrays.view(array, 0, rows, columns);
    }
    return view;
  }

  /** {@code array} seen as {@code (batch, rows, columns)}, row-major. */
  static INDArray matrices(INDArray array, long batch, long rows, long columns) {
    Entry entry = entry(array);
    INDArray view = entry.view;
    if (view == null || view.rank() != 3 || view.size(0) != batch || view.size(1) != rows
        || view.size(2) != columns) {
      entry.view = view = Views.reshaped(array, batch, rows, columns);
    }
    return view;
  }

  /** {@code array}, {@code (n, heads, steps, size)}, as {@code n * heads} matrices. */
  static INDArray heads(INDArray array) {
    return matrices(array, array.size(0) * array.size(1), array.size(2), array.size(3));
  }

  /** {@code array} seen as a vector. */
  static INDArray vector(INDArray array) {
    Entry entry = entry(array);
    INDArray view = entry.view;
    if (view == null || view.rank() != 1 || view.length() != array.length()) {
      entry.view = view = Views.reshaped(array, array.length());
    }
    return view;
  }

  private static Entry entry(INDArray array) {
    Recent recent = RECENT.get();
    Entry[] entries = recent.entries;
    long now = ++recent.clock;
    int oldest = 0;
    for (int i = 0; i < entries.length; i++) {
      Entry entry = entries[i];
      if (entry == null) {
        entry = entries[i] = new Entry();
        entry.array = array;
        entry.lastUsed = now;
        return entry;
      }
      if (entry.array == array) {
        entry.lastUsed = now;
        return entry;
      }
      if (entry.lastUsed < entries[oldest].lastUsed) {
        oldest = i;
      }
    }
    Entry entry = entries[oldest];
    entry.array = array;
    entry.view = null;
    entry.lastUsed = now;
    return entry;
  }
}
