package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.NdArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The benchmark's encoder block in float32: a prediction runs on its own buffers, where the
 * attention core may leave the probabilities unwritten, and the add-and-norms their sums;
 * {@code activations(...)} still returns them, and both give the same output.
 */
class TransformerEncoderTest {

  @Test
  void predictionAndActivationsAgreeAndActivationsKeepTheScores() {
    TransformerEncoderModel model = TransformerEncoderModel.create(3);
    INDArray tokens = Nd4j.rand(DataType.FLOAT, 2, 64, 128).subi(0.5).muli(2);
    INDArray predicted = NdArrays.copy(model.predict(tokens).encoded());
    TransformerEncoderModel.Activations activations = model.activations(tokens);
    INDArray again = model.predict(tokens).encoded();
    assertEquals(0, predicted.sub(activations.encoded()).amaxNumber().doubleValue(),
        "prediction against activations");
    assertEquals(0, predicted.sub(again).amaxNumber().doubleValue(), "a second prediction");
    INDArray scores = activations.get("encoder/attention/scores");
    assertTrue(scores.minNumber().doubleValue() >= 0, "probabilities below 0");
    INDArray rowSums = scores.sum(3);
    double worst = rowSums.sub(1).amaxNumber().doubleValue();
    assertTrue(worst < 1e-5, "rows of the probabilities sum to 1, off by " + worst);
    INDArray sum = tokens.add(activations.get("encoder/attention"));
    assertEquals(0, sum.sub(activations.get("encoder/attended")).amaxNumber().doubleValue(),
        "the residual sum that activations returns");
  }
}
