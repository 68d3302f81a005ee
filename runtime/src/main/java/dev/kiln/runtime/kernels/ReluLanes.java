package dev.kiln.runtime.kernels;

import dev.kiln.runtime.SecondThread;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * ReLU's backward pass over large float32 arrays (a convolution's output) in Vector API lanes, in
 * two halves at once ({@link SecondThread}): libnd4j's relu_bp took 20 ms of CPU over CnnFlat's
 * first convolution output (64x28x28x128), these lanes 3 ms. Only code that checked {@link
 * VectorApi#ENABLED} may load this class.
 */
final class ReluLanes {

  private static final VectorSpecies<Float> SPECIES = FloatLanes.SPECIES;
  private static final int WIDTH = SPECIES.length();

  /**
   * The smallest array done on two threads: below, one thread moves the memory about as fast
   * (64x25x25x32 in 0.4 ms) and handing half over costs more than it saves.
   */
  static final long TWO_THREADS = 1 << 18;

  private static final LanesGate GATE = new LanesGate("ReLU's backward");

  private ReluLanes() {}

  /**
   * Whether this path takes {@code y} and {@code dy}: float32, contiguous, row-major. The caller
   * checks {@link VectorApi#appliesTo} first: without the Vector API this class must not load.
   */
  static boolean handles(INDArray y, INDArray dy) {
    return lanes(y) && lanes(dy)
        && y.length() == dy.length() && y.length() < Integer.MAX_VALUE / Float.BYTES;
  }

  private static boolean lanes(INDArray array) {
    return array.dataType() == DataType.FLOAT
        && (array.length() <= 1 || array.ordering() == 'c' && array.elementWiseStride() == 1);
  }

  /** Zeroes {@code dy} where {@code y} is not positive (NaN is not). */
  static void backward(INDArray y, INDArray dy) {
    FloatLanes output = new FloatLanes(y);
    FloatLanes gradient = new FloatLanes(dy);
    int n = (int) y.length();
    if (SecondThread.ENABLED && n >= TWO_THREADS) {
      SecondThread.run(() -> backward(output, gradient, n / 2, n),
          () -> backward(output, gradient, 0, n / 2));
    } else {
      backward(output, gradient, 0, n);
    }
  }

  private static void backward(FloatLanes y, FloatLanes dy, int from, int to) {
    int i = from;
    int lanesEnd = GATE.lanesEnd(from, to); // cold: a chunk in lanes, the rest below (LanesGate)
    long mark = GATE.start();
    for (; i + WIDTH <= lanesEnd; i += WIDTH) {
      backwardLanes(y, dy, i);
    }
    GATE.finish(mark, i > from);
    for (; i < to; i++) {
      if (!(y.get(i) > 0)) {
        dy.set(i, 0);
      }
    }
  }

  private static void backwardLanes(FloatLanes y, FloatLanes dy, int i) {
    FloatVector kept = dy.load(i);
    dy.store(FloatVector.zero(SPECIES).blend(kept, y.load(i).compare(VectorOperators.GT, 0f)), i);
  }
}
