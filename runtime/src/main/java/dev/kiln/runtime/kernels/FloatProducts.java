package dev.kiln.runtime.kernels;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A recurrent step's product with its recurrent kernel in Vector API lanes on the calling thread,
 * for float32 and small sizes ({@link #suits}). libnd4j's matmul hands each call to its OpenMP
 * threads: a step of LSTM(32) at batch 64 took 17 microseconds of CPU there against 5 here, and
 * under load the caller also waits for a descheduled worker thread. One instance serves one
 * kernel call: it copies the recurrent kernel (and its transpose, for backward) into Java arrays
 * once, then each step copies its left operand in, multiplies 4 rows by 4 vectors of columns at
 * a time, and copies the result out. Only code that checked {@link VectorApi#ENABLED} may load
 * this class.
 */
final class FloatProducts {

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

  /** Rows of the left operand per block, and vectors of columns per block. */
  private static final int ROWS = 4;
  private static final int VECTORS = 4;

  /** Multiply-adds up to which a product runs here: above, libnd4j's two threads win. */
  private static final long MAXIMUM_WORK = 64L * 64 * 256;

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /** A thread's Java arrays, grown as needed and kept. */
  private static final class Scratch {
    float[] kernel = new float[0];
    float[] transposed = new float[0];
    float[] left = new float[0];
    float[] result = new float[0];
  }

  private final INDArray recurrentKernel;
  private final int units;
  private final int columns;
  private final Scratch scratch = SCRATCH.get();
  private boolean kernelCopied;
  private boolean transposedCopied;

  /**
   * The arrays whose floats {@link #floatsOf} gave, and those floats: a step's product reads and
   * writes the same few step arrays every step, and a buffer view is a few Java objects.
   */
  private final INDArray[] viewed = new INDArray[4];
  private final FloatBuffer[] views = new FloatBuffer[4];

  /** Products with {@code recurrentKernel (units, columns)}, float32, row-major and contiguous. */
  FloatProducts(INDArray recurrentKernel) {
    this.recurrentKernel = recurrentKernel;
    this.units = (int) recurrentKernel.size(0);
    this.columns = (int) recurrentKernel.size(1);
  }

  /** Whether these are the products with {@code recurrentKernel} itself. */
  boolean isWith(INDArray recurrentKernel) {
    return this.recurrentKernel == recurrentKernel;
  }

  /** Whether an {@code (n, k) . (k, m)} float32 product runs faster here than in libnd4j. */
  static boolean suits(long n, long k, long m) {
    return n * k * m <= MAXIMUM_WORK;
  }

  /** {@code out (n, columns) = state (n, units) . recurrentKernel}. */
  void product(INDArray state, INDArray out) {
    int paddedColumns = padded(columns);
    if (!kernelCopied) {
      scratch.kernel = atLeast(scratch.kernel, units * paddedColumns);
      FloatBuffer source = kernelFloats();
      for (int row = 0; row < units; row++) {
        source.get(row * columns, scratch.kernel, row * paddedColumns, columns);
      }
      kernelCopied = true;
    }
    multiply(state, units, scratch.kernel, paddedColumns, columns, out);
  }

  /** {@code out (n, units) = gradient (n, columns) . recurrentKernel^T}. */
  void productTransposed(INDArray gradient, INDArray out) {
    int paddedUnits = padded(units);
    if (!transposedCopied) {
      scratch.transposed = atLeast(scratch.transposed, columns * paddedUnits);
      FloatBuffer source = kernelFloats();
      for (int unit = 0; unit < units; unit++) {
        for (int column = 0; column < columns; column++) {
          scratch.transposed[column * paddedUnits + unit] = source.get(unit * columns + column);
        }
      }
      transposedCopied = true;
    }
    multiply(gradient, columns, scratch.transposed, paddedUnits, units, out);
  }

  /**
   * {@code out (n, m) = left (n, k) . right (k, paddedM)}, the right operand's columns past
   * {@code m} zero.
   */
  private void multiply(INDArray left, int k, float[] right, int paddedM, int m, INDArray out) {
    int n = (int) left.size(0);
    int paddedN = (n + ROWS - 1) / ROWS * ROWS;
    float[] a = scratch.left = atLeast(scratch.left, paddedN * k);
    float[] c = scratch.result = atLeast(scratch.result, paddedN * paddedM);
    floatsOf(left).get(0, a, 0, n * k);
    Arrays.fill(a, n * k, paddedN * k, 0); // rows whose results are dropped, kept finite
    int width = SPECIES.length();
    int column = 0;
    for (; column + VECTORS * width <= paddedM; column += VECTORS * width) {
      for (int row = 0; row < paddedN; row += ROWS) {
        fourByFour(a, right, c, row, column, k, paddedM);
      }
    }
    for (; column < paddedM; column += width) {
      for (int row = 0; row < paddedN; row += ROWS) {
        fourByOne(a, right, c, row, column, k, paddedM);
      }
    }
    FloatBuffer target = floatsOf(out);
    if (paddedM == m) {
      target.put(0, c, 0, n * m);
    } else {
      for (int row = 0; row < n; row++) {
        target.put(row * m, c, row * paddedM, m);
      }
    }
  }

  /** Rows {@code row} to {@code row + 3}, columns {@code column} on for four vectors. */
  private static void fourByFour(float[] a, float[] b, float[] c, int row, int column, int k,
      int m) {
    int w = SPECIES.length();
    FloatVector c00 = FloatVector.zero(SPECIES);
    FloatVector c01 = c00;
    FloatVector c02 = c00;
    FloatVector c03 = c00;
    FloatVector c10 = c00;
    FloatVector c11 = c00;
    FloatVector c12 = c00;
    FloatVector c13 = c00;
    FloatVector c20 = c00;
    FloatVector c21 = c00;
    FloatVector c22 = c00;
    FloatVector c23 = c00;
    FloatVector c30 = c00;
    FloatVector c31 = c00;
    FloatVector c32 = c00;
    FloatVector c33 = c00;
    int a0 = row * k;
    for (int i = 0; i < k; i++) {
      int bi = i * m + column;
      FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi);
      FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + w);
      FloatVector b2 = FloatVector.fromArray(SPECIES, b, bi + 2 * w);
      FloatVector b3 = FloatVector.fromArray(SPECIES, b, bi + 3 * w);
      FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + i]);
      c00 = b0.fma(x, c00);
      c01 = b1.fma(x, c01);
      c02 = b2.fma(x, c02);
      c03 = b3.fma(x, c03);
      x = FloatVector.broadcast(SPECIES, a[a0 + k + i]);
      c10 = b0.fma(x, c10);
      c11 = b1.fma(x, c11);
      c12 = b2.fma(x, c12);
      c13 = b3.fma(x, c13);
      x = FloatVector.broadcast(SPECIES, a[a0 + 2 * k + i]);
      c20 = b0.fma(x, c20);
      c21 = b1.fma(x, c21);
      c22 = b2.fma(x, c22);
      c23 = b3.fma(x, c23);
      x = FloatVector.broadcast(SPECIES, a[a0 + 3 * k + i]);
      c30 = b0.fma(x, c30);
      c31 = b1.fma(x, c31);
      c32 = b2.fma(x, c32);
      c33 = b3.fma(x, c33);
    }
    int o = row * m + column;
    store(c, o, c00, c01, c02, c03);
    store(c, o + m, c10, c11, c12, c13);
    store(c, o + 2 * m, c20, c21, c22, c23);
    store(c, o + 3 * m, c30, c31, c32, c33);
  }

  private static void store(float[] c, int at, FloatVector v0, FloatVector v1, FloatVector v2,
      FloatVector v3) {
    int w = SPECIES.length();
    v0.intoArray(c, at);
    v1.intoArray(c, at + w);
    v2.intoArray(c, at + 2 * w);
    v3.intoArray(c, at + 3 * w);
  }

  /** Rows {@code row} to {@code row + 3}, columns {@code column} on for one vector. */
  private static void fourByOne(float[] a, float[] b, float[] c, int row, int column, int k,
      int m) {
    FloatVector c0 = FloatVector.zero(SPECIES);
    FloatVector c1 = c0;
    FloatVector c2 = c0;
    FloatVector c3 = c0;
    int a0 = row * k;
    for (int i = 0; i < k; i++) {
      FloatVector b0 = FloatVector.fromArray(SPECIES, b, i * m + column);
      c0 = b0.fma(FloatVector.broadcast(SPECIES, a[a0 + i]), c0);
      c1 = b0.fma(FloatVector.broadcast(SPECIES, a[a0 + k + i]), c1);
      c2 = b0.fma(FloatVector.broadcast(SPECIES, a[a0 + 2 * k + i]), c2);
      c3 = b0.fma(FloatVector.broadcast(SPECIES, a[a0 + 3 * k + i]), c3);
    }
    int o = row * m + column;
    c0.intoArray(c, o);
    c1.intoArray(c, o + m);
    c2.intoArray(c, o + 2 * m);
    c3.intoArray(c, o + 3 * m);
  }

  /** The recurrent kernel's elements, copied first if it is not contiguous. */
  private FloatBuffer kernelFloats() {
    return floats(Sequences.readable(recurrentKernel, FloatProducts.class, "kernel"));
  }

  /** {@code size} rounded up to whole vectors. */
  private static int padded(int size) {
    int width = SPECIES.length();
    return (size + width - 1) / width * width;
  }

  /** {@code array} if it holds {@code length} elements, else a new one that does. */
  private static float[] atLeast(float[] array, int length) {
    return array.length >= length ? array : new float[length];
  }

  /**
   * {@link #floats} of {@code array}, made once per array for this instance (a kernel call): the
   * buffer's absolute get and put leave its position as it is.
   */
  private FloatBuffer floatsOf(INDArray array) {
    for (int i = 0; i < viewed.length; i++) {
      if (viewed[i] == array) {
        return views[i];
      }
      if (viewed[i] == null) {
        viewed[i] = array;
        views[i] = floats(array);
        return views[i];
      }
    }
    return floats(array);
  }

  /** The elements of a contiguous row-major float array, from its first on. */
  private static FloatBuffer floats(INDArray array) {
    FloatBuffer all = array.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
    return all.position((int) array.offset()).slice();
  }
}
