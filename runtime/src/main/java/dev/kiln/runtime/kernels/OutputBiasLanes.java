package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.FloatLanes.SPECIES;

import dev.kiln.runtime.Elements;
import dev.kiln.runtime.SecondThread;
import java.lang.ref.Reference;
import jdk.incubator.vector.FloatVector;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Attention's output bias added to the rows of its output in Vector API lanes, from {@link
 * #TWO_THREADS} values on in two halves of the rows at once ({@link SecondThread}): the encoder
 * block's {@code (64, 64, 128)} output took 0.22 ms in one thread's float loop. The same float
 * additions as {@link JavaLoops#addBias}, so the same values. Only {@link Heads#dense} calls it,
 * when {@link VectorApi} allows (it checks before this class loads).
 */
final class OutputBiasLanes {

  /** The smallest output added to on two threads. */
  static final long TWO_THREADS = 1 << 16;

  private OutputBiasLanes() {}

  /** Whether {@code rows} and {@code bias} take the lanes: contiguous float32 arrays. */
  static boolean suits(INDArray rows, INDArray bias) {
    return rows.dataType() == DataType.FLOAT && bias.dataType() == DataType.FLOAT
        && Elements.accepts(rows) && Elements.accepts(bias);
  }

  /** Adds {@code bias} to every row of {@code rows}, {@code (..., units)}. */
  static void add(INDArray rows, INDArray bias) {
    int units = (int) bias.length();
    float[] added = JavaWork.floats(3, units);
    new FloatLanes(bias).read(0, added, 0, units);
    FloatLanes out = new FloatLanes(rows);
    int count = Math.toIntExact(rows.length() / units);
    if (rows.length() < TWO_THREADS || count < 2) {
      addRows(out, added, units, 0, count);
    } else {
      int half = count / 2;
      SecondThread.run(() -> addRows(out, added, units, half, count),
          () -> addRows(out, added, units, 0, half));
    }
    Reference.reachabilityFence(rows); // the lanes do not hold their array
  }

  /**
   * {@code out[r * units + j] += bias[j]} for rows {@code [from, to)}: every call on a vector
   * the Vector API's own (see LstmLanes).
   */
  static void addRows(FloatLanes out, float[] bias, int units, int from, int to) {
    int width = SPECIES.length();
    for (int r = from, at = from * units; r < to; r++, at += units) {
      int j = 0;
      for (; j + width <= units; j += width) {
        out.store(out.load(at + j).add(FloatVector.fromArray(SPECIES, bias, j)), at + j);
      }
      for (; j < units; j++) {
        out.set(at + j, out.get(at + j) + bias[j]);
      }
    }
  }
}
