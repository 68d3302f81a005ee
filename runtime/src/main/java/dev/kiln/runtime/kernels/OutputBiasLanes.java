package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import dev.kiln.runtime.SecondThread;
import java.lang.ref.Reference;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Attention's output bias added to the rows of its output, each row moved through Vector API
 * lanes, from {@link #TWO_THREADS} values on in two halves of the rows at once ({@link
 * SecondThread}): the encoder block's {@code (64, 64, 128)} output took 0.22 ms in one thread's
 * float loop. The same float
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
   * {@code out[r * units + j] += bias[j]} for rows {@code [from, to)}: each row read into a Java
   * array and added to in a plain loop, which C2 vectorizes (Vector API calls here were sometimes
   * left boxed in a JVM with a long history of compiled lanes kernels).
   */
  static void addRows(FloatLanes out, float[] bias, int units, int from, int to) {
    float[] row = JavaWork.floats(2, units);
    for (int r = from, at = from * units; r < to; r++, at += units) {
      out.read(at, row, 0, units);
      for (int j = 0; j < units; j++) {
        row[j] += bias[j];
      }
      out.write(row, 0, at, units);
    }
  }
}
