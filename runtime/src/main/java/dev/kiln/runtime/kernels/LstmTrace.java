package dev.kiln.runtime.kernels;

import dev.kiln.runtime.NdArrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The trace of an LSTM run, batch-major {@code (n, steps, ...)}, see {@link LstmSteps}: {@code
 * gates (n, steps, 4 * units)}, {@code cellsBefore}, {@code cellTanh} and {@code statesBefore
 * (n, steps, units)}. A run for inference keeps only {@code gates}, the input projections, and
 * the others are null.
 */
record LstmTrace(INDArray gates, INDArray cellsBefore, INDArray cellTanh, INDArray statesBefore) {

  /** The elements a trace of {@code n} sequences needs: {@code 7 * units} a step. */
  static long length(long n, long steps, long units) {
    return n * steps * 7 * units;
  }

  /** A trace in arrays shared by the backward calls given none. */
  static LstmTrace shared(DataType dataType, long n, long steps, long units) {
    return new LstmTrace(
        WorkArrays.get(Lstm.class, "gates", dataType, n, steps, 4 * units),
        WorkArrays.get(Lstm.class, "cellsBefore", dataType, n, steps, units),
        WorkArrays.get(Lstm.class, "cellTanh", dataType, n, steps, units),
        WorkArrays.get(Lstm.class, "statesBefore", dataType, n, steps, units));
  }

  /** The input projections of a run for inference, in an array shared by such runs. */
  static LstmTrace projectionsOnly(DataType dataType, long n, long steps, long units) {
    return new LstmTrace(
        WorkArrays.get(Lstm.class, "projections", dataType, n, steps, 4 * units), null, null, null);
  }

  /** The trace of rows {@code [from, to)} of the batch: views, {@link BatchHalves#rows}. */
  LstmTrace rows(long from, long to) {
    return new LstmTrace(BatchHalves.rows(gates, from, to), BatchHalves.rows(cellsBefore, from, to),
        BatchHalves.rows(cellTanh, from, to), BatchHalves.rows(statesBefore, from, to));
  }

  /** A trace in views of consecutive parts of a layer's own trace buffer. */
  static LstmTrace in(INDArray trace, long n, long steps, long units) {
    long needed = length(n, steps, units);
    if (trace.length() < needed || trace.ordering() != 'c' || trace.elementWiseStride() != 1) {
      throw new IllegalArgumentException("an LSTM trace needs " + needed
          + " contiguous row-major elements, got " + trace.shapeInfoToString());
    }
    long block = n * steps * units;
    return new LstmTrace(
        NdArrays.view(trace, 0, n, steps, 4 * units),
        NdArrays.view(trace, 4 * block, n, steps, units),
        NdArrays.view(trace, 5 * block, n, steps, units),
        NdArrays.view(trace, 6 * block, n, steps, units));
  }
}
