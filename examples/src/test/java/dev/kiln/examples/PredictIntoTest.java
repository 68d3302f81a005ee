package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code predictInto}: predict's values in the caller's arrays, allocating nothing in a loop. */
class PredictIntoTest {

  @Test
  void writesWhatPredictReturnsForEveryOutput() {
    HeadlinesModel model = HeadlinesModel.create(2);
    INDArray tokens = RandomArrays.uniform(3, 6, 100).addi(1).muli(4_999).castTo(DataType.INT);
    INDArray aux = RandomArrays.uniform(4, 6, 5).castTo(DataType.FLOAT);
    HeadlinesModel.Outputs expected = model.predict(tokens, aux);
    INDArray main = NdArrays.zeros(DataType.FLOAT, 6, 1);
    INDArray auxiliary = NdArrays.zeros(DataType.FLOAT, 6, 1);

    model.predictInto(new INDArray[] {main, auxiliary}, tokens, aux);

    assertEquals(expected.mainOutput(), main);
    assertEquals(expected.auxOutput(), auxiliary);
  }

  @Test
  void aServingLoopCreatesNoArrays() {
    MlpModel model = MlpModel.create(1);
    INDArray x = RandomArrays.uniform(5, 3, 784).castTo(DataType.FLOAT);
    INDArray[] out = {NdArrays.zeros(DataType.FLOAT, 3, 10)};
    model.predictInto(out, x);
    long created = NdArrays.created();

    for (int i = 0; i < 5; i++) {
      model.predictInto(out, x);
    }

    assertEquals(created, NdArrays.created());
    assertEquals(model.predict(x).output(), out[0]);
  }

  @Test
  void aWronglyShapedOutputIsRefusedAndNamed() {
    MlpModel model = MlpModel.create(1);
    INDArray x = RandomArrays.uniform(5, 3, 784).castTo(DataType.FLOAT);
    INDArray wrong = NdArrays.zeros(DataType.FLOAT, 4, 10);

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> model.predictInto(new INDArray[] {wrong}, x));

    assertTrue(e.getMessage().contains("output 'output' needs a FLOAT array of shape [3, 10]"),
        e.getMessage());
    assertEquals(0, wrong.sumNumber().doubleValue());
  }
}
