package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.testing.PlainArrays.assertAllClose;
import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class EmbeddingTest {

  static final int INPUT_DIM = 7;
  static final int OUTPUT_DIM = 4;
  static final int N = 2;
  static final int STEPS = 3;

  /** (N, STEPS) row-major: index 5 is used three times (across rows too), 0 twice, 2 once. */
  static final int[] INDICES = {5, 0, 2, 5, 0, 5};

  /** {@code INDICES} as an array of {@code type}. */
  static INDArray indices(DataType type) {
    return NdArrays.copy(Nd4j.createFromArray(INDICES).reshape(N, STEPS), type);
  }

  @ParameterizedTest
  @EnumSource(names = {"INT", "LONG", "FLOAT", "DOUBLE"})
  void forwardCopiesTheIndexedRows(DataType indexType) {
    INDArray embeddings = RandomArrays.uniform(3, INPUT_DIM, OUTPUT_DIM);
    INDArray out = NdArrays.zeros(DataType.DOUBLE, N, STEPS, OUTPUT_DIM).addi(Double.NaN);
    Embedding.forward(indices(indexType), embeddings, out);

    double[] table = values(embeddings);
    double[] expected = new double[N * STEPS * OUTPUT_DIM];
    for (int i = 0; i < N * STEPS; i++) {
      for (int j = 0; j < OUTPUT_DIM; j++) {
        expected[i * OUTPUT_DIM + j] = table[INDICES[i] * OUTPUT_DIM + j];
      }
    }
    assertArrayEquals(expected, values(out), indexType + " indices");
  }

  @ParameterizedTest
  @EnumSource(names = {"INT", "LONG", "FLOAT", "DOUBLE"})
  void backwardSumsTheRowsOfEachIndexAndZeroesTheRest(DataType indexType) {
    INDArray dOut = RandomArrays.uniform(5, N, STEPS, OUTPUT_DIM);
    INDArray dEmbeddings = NdArrays.zeros(DataType.DOUBLE, INPUT_DIM, OUTPUT_DIM).addi(Double.NaN);
    Embedding.backward(indices(indexType), dOut, dEmbeddings);

    double[] gradient = values(dOut);
    double[] expected = new double[INPUT_DIM * OUTPUT_DIM];
    for (int i = 0; i < N * STEPS; i++) {
      for (int j = 0; j < OUTPUT_DIM; j++) {
        expected[INDICES[i] * OUTPUT_DIM + j] += gradient[i * OUTPUT_DIM + j];
      }
    }
    assertAllClose(expected, dEmbeddings, 1e-15, indexType + " indices");
  }

  @ParameterizedTest
  @EnumSource(names = {"INT", "FLOAT"})
  void float32EmbeddingsWork(DataType indexType) {
    INDArray embeddings = NdArrays.copy(RandomArrays.uniform(3, INPUT_DIM, OUTPUT_DIM), DataType.FLOAT);
    INDArray out = NdArrays.zeros(DataType.FLOAT, N, STEPS, OUTPUT_DIM);
    Embedding.forward(indices(indexType), embeddings, out);
    INDArray dEmbeddings = embeddings.ulike();
    Embedding.backward(indices(indexType), out, dEmbeddings);

    // With dOut = out, row r of dEmbeddings is (uses of r) * embeddings[r].
    double[] table = values(embeddings);
    double[] expected = new double[INPUT_DIM * OUTPUT_DIM];
    for (int index : INDICES) {
      for (int j = 0; j < OUTPUT_DIM; j++) {
        expected[index * OUTPUT_DIM + j] += table[index * OUTPUT_DIM + j];
      }
    }
    assertAllClose(expected, dEmbeddings, 1e-6, indexType + " indices");
  }

  /**
   * Rows of 41 floats, two or more full vectors and part of one for the gradient's lanes, and
   * 6,400 tokens, enough output for the gather to run on two threads. The last 3 of the 53 rows
   * are used by no token. Each row of the gradient is its tokens' rows added in float32 in token
   * order, bit for bit.
   */
  @ParameterizedTest
  @EnumSource(names = {"INT", "LONG"})
  void wideRowsOfManyTokensInFloat32(DataType indexType) {
    int vocabulary = 53;
    int width = 41;
    int[] tokens = new int[64 * 100];
    for (int p = 0; p < tokens.length; p++) {
      tokens[p] = (p * 7 + p / 13) % 50;
    }
    INDArray ids = NdArrays.copy(Nd4j.createFromArray(tokens).reshape(64, 100), indexType);
    INDArray embeddings =
        NdArrays.copy(RandomArrays.uniform(3, vocabulary, width), DataType.FLOAT);
    INDArray out = NdArrays.zeros(DataType.FLOAT, 64, 100, width).addi(Double.NaN);
    Embedding.forward(ids, embeddings, out);
    INDArray dOut = NdArrays.copy(RandomArrays.uniform(5, 64, 100, width), DataType.FLOAT);
    INDArray dEmbeddings = NdArrays.zeros(DataType.FLOAT, vocabulary, width).addi(Double.NaN);
    Embedding.backward(ids, dOut, dEmbeddings);

    double[] table = values(embeddings);
    double[] gradient = values(dOut);
    double[] expectedOut = new double[tokens.length * width];
    float[] expectedGradient = new float[vocabulary * width];
    for (int p = 0; p < tokens.length; p++) {
      for (int j = 0; j < width; j++) {
        expectedOut[p * width + j] = table[tokens[p] * width + j];
        expectedGradient[tokens[p] * width + j] += (float) gradient[p * width + j];
      }
    }
    assertArrayEquals(expectedOut, values(out), "out");
    assertArrayEquals(expectedGradient, dEmbeddings.data().asFloat(), "dEmbeddings");
  }

  @ParameterizedTest
  @EnumSource(names = {"INT", "LONG", "FLOAT"})
  void repeatedCallsCreateNoArrays(DataType indexType) {
    INDArray indices = indices(indexType);
    INDArray embeddings = NdArrays.copy(RandomArrays.uniform(3, INPUT_DIM, OUTPUT_DIM), DataType.FLOAT);
    INDArray out = NdArrays.zeros(DataType.FLOAT, N, STEPS, OUTPUT_DIM);
    INDArray dEmbeddings = NdArrays.zeros(DataType.FLOAT, INPUT_DIM, OUTPUT_DIM);
    Runnable step = () -> {
      Embedding.forward(indices, embeddings, out);
      Embedding.backward(indices, out, dEmbeddings);
    };
    step.run();
    long created = NdArrays.created();
    step.run();
    step.run();
    assertEquals(created, NdArrays.created());
  }

  @ParameterizedTest
  @EnumSource(names = {"INT", "LONG", "FLOAT"})
  void anIndexPastTheTableIsRefused(DataType indexType) {
    assertRefused(new int[] {0, INPUT_DIM}, indexType);
  }

  @ParameterizedTest
  @EnumSource(names = {"INT", "LONG", "FLOAT"})
  void aNegativeIndexIsRefused(DataType indexType) {
    assertRefused(new int[] {0, -1}, indexType);
  }

  private static void assertRefused(int[] badIndices, DataType indexType) {
    INDArray indices = NdArrays.copy(Nd4j.createFromArray(badIndices).reshape(1, 2), indexType);
    INDArray embeddings = RandomArrays.uniform(3, INPUT_DIM, OUTPUT_DIM);
    assertThrows(RuntimeException.class,
        () -> Embedding.forward(indices, embeddings, NdArrays.zeros(DataType.DOUBLE, 1, 2, OUTPUT_DIM)));
    assertThrows(RuntimeException.class,
        () -> Embedding.backward(indices, RandomArrays.uniform(5, 1, 2, OUTPUT_DIM),
            NdArrays.zeros(DataType.DOUBLE, INPUT_DIM, OUTPUT_DIM)));
  }
}
