package dev.kiln.runtime;

import java.lang.ref.Cleaner;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Native memory for the arrays that predictions return, used again once an array that held it has
 * been collected, as PyTorch's allocator hands a freed tensor's memory to the next one.
 *
 * <p>Why: memory the process has not touched yet costs a page fault per 4 KB page on first write.
 * The encoder block's 2 MB prediction took 0.4 ms to copy into a new ND4J array (1 ms on a freshly
 * started machine, whose memory the host had not backed yet) and 0.15 ms into memory written
 * before. The memory of a collected result waits here, at most {@link #MOST_WAITING} bytes, for the
 * next result of its size; an array keeps its memory while it or any view of it is reachable.
 */
final class ResultMemory {

  /** Bytes that may wait for a next result: the garbage budget, what one collection frees. */
  static final long MOST_WAITING = NativeGarbage.BUDGET;

  private static final Cleaner CLEANER = Cleaner.create();

  private static final Map<Long, ArrayDeque<Pointer>> WAITING = new HashMap<>();
  private static long waitingBytes;

  private ResultMemory() {}

  /**
   * A new row-major array holding a copy of {@code source}; null if {@code source} is not a
   * non-empty contiguous row-major float32 or float64 array (the caller copies it another way).
   */
  static INDArray copyOf(INDArray source) {
    DataType type = source.dataType();
    boolean floating = type == DataType.FLOAT || type == DataType.DOUBLE;
    if (!floating || !NdArrays.isContiguousRowMajor(source)) {
      return null;
    }
    long length = source.length();
    long bytes = length * type.width();
    Pointer memory = take(bytes);
    NdArrays.counted(bytes);
    Pointer.memcpy(memory, NdArrays.start(source, type.width()), bytes);
    DataBuffer buffer;
    if (type == DataType.FLOAT) {
      FloatPointer floats = new FloatPointer(memory).capacity(length);
      buffer = Nd4j.createBuffer(floats, type, length, FloatIndexer.create(floats));
    } else {
      DoublePointer doubles = new DoublePointer(memory).capacity(length);
      buffer = Nd4j.createBuffer(doubles, type, length, DoubleIndexer.create(doubles));
    }
    // The action holds the memory, not the buffer: it runs once the buffer is unreachable.
    CLEANER.register(buffer, () -> giveBack(memory, bytes));
    return Nd4j.create(buffer, source.shape(), Nd4j.getStrides(source.shape(), 'c'), 0, 'c', type);
  }

  /** Memory of {@code bytes}: a collected result's, or new. */
  private static Pointer take(long bytes) {
    synchronized (WAITING) {
      ArrayDeque<Pointer> same = WAITING.get(bytes);
      if (same != null && !same.isEmpty()) {
        waitingBytes -= bytes;
        return same.pop();
      }
    }
    Pointer memory = Pointer.malloc(bytes);
    if (memory == null || memory.isNull()) {
      throw new OutOfMemoryError(
          "could not allocate " + bytes + " bytes of native memory for a prediction's result");
    }
    return memory;
  }

  /** Keeps a collected result's memory for the next result of its size, or frees it. */
  private static void giveBack(Pointer memory, long bytes) {
    synchronized (WAITING) {
      if (waitingBytes + bytes <= MOST_WAITING) {
        WAITING.computeIfAbsent(bytes, size -> new ArrayDeque<>()).push(memory);
        waitingBytes += bytes;
        return;
      }
    }
    Pointer.free(memory);
  }

  /** How many pieces of memory of {@code bytes} wait for a next result. */
  static int waiting(long bytes) {
    synchronized (WAITING) {
      ArrayDeque<Pointer> same = WAITING.get(bytes);
      return same == null ? 0 : same.size();
    }
  }
}
