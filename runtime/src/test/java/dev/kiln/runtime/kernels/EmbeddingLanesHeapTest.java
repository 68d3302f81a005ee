package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.testing.RandomArrays;
import java.lang.ref.Reference;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Embedding gradient's rows in Vector API lanes allocate no Java heap once C2 has compiled
 * them (a vector C2 cannot keep in a register is an object on the heap; see {@link
 * LstmLanesHeapTest}), nor does sorting the tokens by id after the first call. The rows are
 * written here on the calling thread, without {@link dev.kiln.runtime.SecondThread}'s hand-over.
 */
class EmbeddingLanesHeapTest {

  private static final int VOCABULARY = 300;
  /** Whole vectors with 8 or 16 lanes and part of one. */
  private static final int WIDTH = 37;
  private static final int TOKENS = 640;

  /** Heap bytes a warmed-up call may allocate. */
  private static final long LIMIT = 1024;

  private static final int CALLS = 50;

  @Test
  void warmedUpRowsInLanesAllocateNoHeap() {
    assumeTrue(VectorApi.ENABLED, "the gradient's rows run in lanes with the Vector API only");
    long fewest = FreshJvm.bytesPerCall(EmbeddingLanesHeapTest.class, "fewestBytes", null);
    assertTrue(fewest <= LIMIT, "a warmed-up call of the Embedding gradient's rows in lanes"
        + " allocated at least " + fewest + " heap bytes, more than " + LIMIT
        + " (vectors boxed? see -XX:+UnlockDiagnosticVMOptions -XX:+PrintInlining)");
  }

  /** The measurement, which the test runs in a JVM of its own ({@link FreshJvm}). */
  static long fewestBytes() {
    int[] tokens = new int[TOKENS];
    for (int p = 0; p < TOKENS; p++) {
      tokens[p] = (p * 31 + p / 7) % (VOCABULARY - 20);
    }
    INDArray ids = NdArrays.copy(Nd4j.createFromArray(tokens), DataType.INT);
    INDArray dOut = RandomArrays.uniform(5, TOKENS, WIDTH).castTo(DataType.FLOAT);
    INDArray dTable = NdArrays.zeros(DataType.FLOAT, VOCABULARY, WIDTH);
    FloatLanes rows = new FloatLanes(dOut);
    FloatLanes table = new FloatLanes(dTable);
    TokenIds checked = TokenIds.of(ids, VOCABULARY);

    long fewest = HeapPerCall.fewestBytes(() -> {
      TokensById sorted = TokensById.of(checked, VOCABULARY);
      EmbeddingLanes.writeRows(sorted, rows, table, WIDTH, 0, VOCABULARY);
    }, CALLS, LIMIT);
    // The lanes view the arrays' memory without holding them.
    Reference.reachabilityFence(dOut);
    Reference.reachabilityFence(dTable);
    return fewest;
  }
}
