package dev.kiln.runtime.kernels;

import dev.kiln.runtime.SecondThread;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Max pooling over float32 channels-last images in Vector API lanes, forward and backward: a
 * vector of channels of one window at a time, the output rows split over two threads ({@link
 * SecondThread}). libnd4j's maxpool2d_bp took 17 ms of CPU for CnnFlat's first pooling
 * (64x28x28x128 in 2x2 windows), about six passes over the image's memory; this takes one read of
 * the image and one write of its gradient.
 *
 * <p>Each window's gradient goes to the first cell, in row-major order, that holds the window's
 * maximum, as TensorFlow routes it. Only code that checked {@link VectorApi#ENABLED} may load this
 * class.
 */
final class MaxPoolLanes {

  private static final VectorSpecies<Float> SPECIES = FloatLanes.SPECIES;
  private static final int WIDTH = SPECIES.length();

  /**
   * The smallest image, in values, done on two threads: below, one thread moves the memory about
   * as fast (64x25x25x32 in 0.4 ms) and handing half over costs more than it saves.
   */
  static final long TWO_THREADS = 1 << 18;

  private static final LanesGate FORWARD = new LanesGate("max pooling's forward");
  private static final LanesGate BACKWARD = new LanesGate("max pooling's backward");

  private MaxPoolLanes() {}

  /**
   * Whether this path takes the call: float32 row-major contiguous arrays, no larger than int
   * indexes of their bytes reach. The caller checks {@link VectorApi#appliesTo} first: without
   * the Vector API this class must not load.
   */
  static boolean handles(INDArray x, INDArray dOut, INDArray dx) {
    return lanes(x) && lanes(dOut) && lanes(dx) && x.length() == dx.length()
        && x.length() < Integer.MAX_VALUE / Float.BYTES;
  }

  private static boolean lanes(INDArray array) {
    return array.dataType() == DataType.FLOAT && array.rank() == 4
        && array.ordering() == 'c' && array.elementWiseStride() == 1;
  }

  /** Whether the forward pass takes the call: as {@link #handles(INDArray, INDArray, INDArray)}. */
  static boolean handles(INDArray x, INDArray out) {
    return lanes(x) && lanes(out)
        && x.length() < Integer.MAX_VALUE / Float.BYTES;
  }

  /**
   * Writes each window's maximum, per channel, into {@code out}, or with {@code relu} the larger
   * of it and 0: ReLU's output pooled, from its input ({@code max(relu(a), relu(b)) =
   * relu(max(a, b))}), in one pass over the image.
   */
  static void forward(INDArray x, Window window, INDArray out, boolean relu) {
    PoolGrid grid = PoolGrid.of(x, window, out);
    FloatLanes image = new FloatLanes(x);
    FloatLanes target = new FloatLanes(out);
    int rows = grid.n() * grid.oh();
    if (SecondThread.ENABLED && x.length() >= TWO_THREADS && rows >= 2) {
      SecondThread.run(() -> forwardRows(grid, image, target, relu, rows / 2, rows),
          () -> forwardRows(grid, image, target, relu, 0, rows / 2));
    } else {
      forwardRows(grid, image, target, relu, 0, rows);
    }
  }

  private static void forwardRows(
      PoolGrid grid, FloatLanes x, FloatLanes out, boolean relu, int from, int to) {
    int c = grid.c();
    int rowStride = grid.w() * c;
    int squares = c % WIDTH == 0 ? grid.wholeSquares() : 0;
    float[] carried = new float[WIDTH];
    int lanesEnd = FORWARD.lanesEnd(from, to, grid.ow() * c); // cold: later rows in plain loops
    long mark = FORWARD.start();
    for (int row = from; row < to; row++) {
      int b = row / grid.oh();
      int i = row % grid.oh();
      int top = grid.firstRow(i);
      int rows = grid.endRow(i) - top;
      int j = 0;
      if (rows == 2 && squares > 0 && row < lanesEnd) {
        int outAt = row * grid.ow() * c;
        int cellAt = grid.pixel(b, top, 0);
        if (relu) {
          maxSquaresRelu(x, out, outAt, cellAt, squares, rowStride, c);
        } else {
          maxSquares(x, out, outAt, cellAt, squares, rowStride, c);
        }
        j = squares;
      }
      for (; j < grid.ow(); j++) {
        int left = grid.firstColumn(j);
        int columns = grid.endColumn(j) - left;
        int outAt = (row * grid.ow() + j) * c;
        int cellAt = grid.pixel(b, top, left);
        int k = 0;
        for (; k + WIDTH <= c && row < lanesEnd; k += WIDTH) {
          windowMax(x, cellAt + k, rows, columns, rowStride, c, carried);
          if (relu) {
            reluCarried(carried);
          }
          out.store(FloatVector.fromArray(SPECIES, carried, 0), outAt + k);
        }
        for (; k < c; k++) {
          float max = maxOne(x, cellAt + k, rows, columns, rowStride, c);
          out.set(outAt + k, relu ? Math.max(max, 0f) : max);
        }
      }
    }
    FORWARD.finish(mark, lanesEnd > from);
  }

  /**
   * {@code squares} whole 2x2 windows side by side at stride 2, the common case, in straight-line
   * code per vector; {@code c} is a whole number of vectors.
   */
  private static void maxSquares(FloatLanes x, FloatLanes out, int outAt, int cellAt,
      int squares, int rowStride, int c) {
    for (int j = 0; j < squares; j++, outAt += c, cellAt += 2 * c) {
      for (int k = 0; k < c; k += WIDTH) {
        maxSquare(x, out, outAt + k, cellAt + k, rowStride, c);
      }
    }
  }

  private static void maxSquare(
      FloatLanes x, FloatLanes out, int outAt, int cellAt, int rowStride, int cellStride) {
    int at10 = cellAt + rowStride;
    FloatVector top = x.load(cellAt).max(x.load(cellAt + cellStride));
    out.store(top.max(x.load(at10).max(x.load(at10 + cellStride))), outAt);
  }

  /** {@link #maxSquares} with ReLU: each maximum, or 0 where it is below. */
  private static void maxSquaresRelu(FloatLanes x, FloatLanes out, int outAt, int cellAt,
      int squares, int rowStride, int c) {
    for (int j = 0; j < squares; j++, outAt += c, cellAt += 2 * c) {
      for (int k = 0; k < c; k += WIDTH) {
        maxSquareRelu(x, out, outAt + k, cellAt + k, rowStride, c);
      }
    }
  }

  private static void maxSquareRelu(
      FloatLanes x, FloatLanes out, int outAt, int cellAt, int rowStride, int cellStride) {
    int at10 = cellAt + rowStride;
    FloatVector top = x.load(cellAt).max(x.load(cellAt + cellStride));
    FloatVector max = top.max(x.load(at10).max(x.load(at10 + cellStride)));
    out.store(max.max(FloatVector.zero(SPECIES)), outAt);
  }

  private static void reluCarried(float[] carried) {
    FloatVector.fromArray(SPECIES, carried, 0).max(FloatVector.zero(SPECIES))
        .intoArray(carried, 0);
  }

  private static float maxOne(
      FloatLanes x, int cellAt, int rows, int columns, int rowStride, int cellStride) {
    float max = x.get(cellAt);
    for (int r = 0; r < rows; r++) {
      for (int q = 0; q < columns; q++) {
        max = Math.max(max, x.get(cellAt + r * rowStride + q * cellStride));
      }
    }
    return max;
  }

  /**
   * Writes into {@code dx} the gradient of the pooling's input given its output gradient {@code
   * dOut}; with {@code throughRelu}, where {@code x} is a ReLU's output, the gradient of the ReLU's
   * input instead: a window whose maximum is not positive passes nothing on.
   */
  static void backward(INDArray x, INDArray dOut, Window window, INDArray dx, boolean throughRelu) {
    PoolGrid grid = PoolGrid.of(x, window, dOut);
    FloatLanes image = new FloatLanes(x);
    FloatLanes gradient = new FloatLanes(dOut);
    FloatLanes target = new FloatLanes(dx);
    boolean accumulate = !grid.tiles();
    int rows = grid.n() * grid.oh();
    // Windows of two output rows may share pixels; those of two images never do.
    int half = grid.overlapsRows() ? grid.n() / 2 * grid.oh() : rows / 2;
    boolean split = SecondThread.ENABLED && x.length() >= TWO_THREADS && half > 0;
    if (accumulate) {
      int length = (int) x.length();
      if (split) {
        SecondThread.run(() -> target.zero(length / 2, length - length / 2),
            () -> target.zero(0, length / 2));
      } else {
        target.zero(0, length);
      }
    }
    if (split) {
      SecondThread.run(
          () -> backwardRows(grid, image, gradient, target, throughRelu, accumulate, half, rows),
          () -> backwardRows(grid, image, gradient, target, throughRelu, accumulate, 0, half));
    } else {
      backwardRows(grid, image, gradient, target, throughRelu, accumulate, 0, rows);
    }
  }

  /** Output rows {@code [from, to)} of all images; tiling windows also zero their leftovers. */
  private static void backwardRows(PoolGrid grid, FloatLanes x, FloatLanes dOut, FloatLanes dx,
      boolean throughRelu, boolean accumulate, int from, int to) {
    int c = grid.c();
    int rowStride = grid.w() * c;
    // Through a ReLU a window passes its gradient on when its maximum is positive: at least the
    // least positive float.
    float floor = throughRelu ? Float.MIN_VALUE : Float.NEGATIVE_INFINITY;
    int squares = c % WIDTH == 0 ? grid.wholeSquares() : 0;
    float[] carried = new float[2 * WIDTH];
    int lanesEnd = BACKWARD.lanesEnd(from, to, grid.ow() * c); // cold: later rows in plain loops
    long mark = BACKWARD.start();
    for (int row = from; row < to; row++) {
      int b = row / grid.oh();
      int i = row % grid.oh();
      int top = grid.firstRow(i);
      int rows = grid.endRow(i) - top;
      int j = 0;
      if (rows == 2 && squares > 0 && row < lanesEnd) {
        routeSquares(x, dOut, dx, row * grid.ow() * c, grid.pixel(b, top, 0), squares, rowStride,
            c, floor);
        j = squares;
      }
      for (; j < grid.ow(); j++) {
        int left = grid.firstColumn(j);
        int columns = grid.endColumn(j) - left;
        int outAt = (row * grid.ow() + j) * c;
        int cellAt = grid.pixel(b, top, left);
        int k = 0;
        for (; k + WIDTH <= c && row < lanesEnd; k += WIDTH) {
          routeLanes(x, dOut, dx, outAt + k, cellAt + k, rows, columns, rowStride, c,
              floor, accumulate, carried);
        }
        for (; k < c; k++) {
          routeOne(x, dOut, dx, outAt + k, cellAt + k, rows, columns, rowStride, c,
              floor, accumulate);
        }
      }
      if (!accumulate) {
        zeroLeftovers(grid, dx, b, i, top, rows);
      }
    }
    BACKWARD.finish(mark, lanesEnd > from);
  }

  /**
   * One vector of channels of one window: its maximum, then the gradient to the first cell that
   * holds it, lane by lane, and zero to the others; nothing from a window whose maximum is below
   * {@code floor}.
   *
   * <p>The running maximum and the gradient not yet routed wait in {@code carried}, not in vector
   * variables: C2 (Java 17) boxes a vector carried from one iteration of a loop to the next, and
   * this loop then allocated 240 bytes a window.
   */
  private static void routeLanes(FloatLanes x, FloatLanes dOut, FloatLanes dx, int outAt,
      int cellAt, int rows, int columns, int rowStride, int cellStride, float floor,
      boolean accumulate, float[] carried) {
    windowMax(x, cellAt, rows, columns, rowStride, cellStride, carried);
    startGradient(dOut, outAt, floor, carried);
    for (int r = 0; r < rows; r++) {
      for (int q = 0; q < columns; q++) {
        routeCell(x, dx, cellAt + r * rowStride + q * cellStride, accumulate, carried);
      }
    }
  }

  /** The window's maximum, a vector of channels, into {@code carried} from 0 on. */
  private static void windowMax(FloatLanes x, int cellAt, int rows, int columns, int rowStride,
      int cellStride, float[] carried) {
    x.load(cellAt).intoArray(carried, 0);
    for (int r = 0; r < rows; r++) {
      for (int q = 0; q < columns; q++) {
        raiseMax(x, cellAt + r * rowStride + q * cellStride, carried);
      }
    }
  }

  private static void raiseMax(FloatLanes x, int at, float[] carried) {
    FloatVector.fromArray(SPECIES, carried, 0).max(x.load(at)).intoArray(carried, 0);
  }

  private static void startGradient(FloatLanes dOut, int outAt, float floor, float[] carried) {
    FloatVector max = FloatVector.fromArray(SPECIES, carried, 0);
    FloatVector.zero(SPECIES).blend(dOut.load(outAt), max.compare(VectorOperators.GE, floor))
        .intoArray(carried, WIDTH);
  }

  /** The gradient left to the lanes where cell {@code at} holds the maximum; none left there. */
  private static void routeCell(FloatLanes x, FloatLanes dx, int at, boolean accumulate,
      float[] carried) {
    FloatVector left = FloatVector.fromArray(SPECIES, carried, WIDTH);
    VectorMask<Float> first =
        x.load(at).compare(VectorOperators.EQ, FloatVector.fromArray(SPECIES, carried, 0));
    if (accumulate) {
      dx.store(dx.load(at).add(left, first), at);
    } else {
      dx.store(FloatVector.zero(SPECIES).blend(left, first), at);
    }
    left.blend(0f, first).intoArray(carried, WIDTH);
  }

  /** {@link #maxSquares}' windows backward: {@link #routeLanes} in straight-line code. */
  private static void routeSquares(FloatLanes x, FloatLanes dOut, FloatLanes dx, int outAt,
      int cellAt, int squares, int rowStride, int c, float floor) {
    for (int j = 0; j < squares; j++, outAt += c, cellAt += 2 * c) {
      for (int k = 0; k < c; k += WIDTH) {
        routeSquare(x, dOut, dx, outAt + k, cellAt + k, rowStride, c, floor);
      }
    }
  }

  /** {@link #routeLanes} for one whole 2x2 window that shares no pixel with another. */
  private static void routeSquare(FloatLanes x, FloatLanes dOut, FloatLanes dx, int outAt,
      int cellAt, int rowStride, int cellStride, float floor) {
    int at10 = cellAt + rowStride;
    FloatVector v00 = x.load(cellAt);
    FloatVector v01 = x.load(cellAt + cellStride);
    FloatVector v10 = x.load(at10);
    FloatVector v11 = x.load(at10 + cellStride);
    FloatVector max = v00.max(v01).max(v10.max(v11));
    FloatVector zero = FloatVector.zero(SPECIES);
    FloatVector gradient = zero.blend(dOut.load(outAt), max.compare(VectorOperators.GE, floor));
    VectorMask<Float> first00 = v00.compare(VectorOperators.EQ, max);
    VectorMask<Float> taken = first00;
    VectorMask<Float> first01 = v01.compare(VectorOperators.EQ, max).andNot(taken);
    taken = taken.or(first01);
    VectorMask<Float> first10 = v10.compare(VectorOperators.EQ, max).andNot(taken);
    taken = taken.or(first10);
    VectorMask<Float> first11 = v11.compare(VectorOperators.EQ, max).andNot(taken);
    dx.store(zero.blend(gradient, first00), cellAt);
    dx.store(zero.blend(gradient, first01), cellAt + cellStride);
    dx.store(zero.blend(gradient, first10), at10);
    dx.store(zero.blend(gradient, first11), at10 + cellStride);
  }

  /** {@link #routeLanes} for one channel. */
  private static void routeOne(FloatLanes x, FloatLanes dOut, FloatLanes dx, int outAt,
      int cellAt, int rows, int columns, int rowStride, int cellStride, float floor,
      boolean accumulate) {
    int winner = cellAt;
    float max = x.get(cellAt);
    for (int r = 0; r < rows; r++) {
      for (int q = 0; q < columns; q++) {
        int at = cellAt + r * rowStride + q * cellStride;
        float value = x.get(at);
        if (value > max) {
          max = value;
          winner = at;
        }
      }
    }
    float routed = max >= floor ? dOut.get(outAt) : 0;
    for (int r = 0; r < rows; r++) {
      for (int q = 0; q < columns; q++) {
        int at = cellAt + r * rowStride + q * cellStride;
        float value = at == winner ? routed : 0;
        dx.set(at, accumulate ? dx.get(at) + value : value);
      }
    }
  }

  /**
   * Tiling windows write every pixel they cover; the columns after output row {@code i}'s last
   * window and, after the image's last output row, the rows below it, get zero here.
   */
  private static void zeroLeftovers(PoolGrid grid, FloatLanes dx, int b, int i, int top, int rows) {
    int covered = grid.endColumn(grid.ow() - 1);
    int leftover = (grid.w() - covered) * grid.c();
    if (leftover > 0) {
      for (int r = top; r < top + rows; r++) {
        dx.zero(grid.pixel(b, r, covered), leftover);
      }
    }
    int below = grid.endRow(i);
    if (i == grid.oh() - 1 && below < grid.h()) {
      dx.zero(grid.pixel(b, below, 0), (grid.h() - below) * grid.w() * grid.c());
    }
  }
}
