package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.examples.CostModels.VariableAttention;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.LayerCost;
import dev.kiln.runtime.LayerSpec;
import dev.kiln.runtime.ModelCost;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The FLOPs and memory the summary reports, counted by hand: a multiply-add is 2 FLOPs, an
 * activation 1 FLOP per element each way, a bias 1 per value each way; a training step is the
 * forward pass plus the backward pass, which computes no gradient for a model input.
 */
class CostTest {

  private static LayerCost cost(KilnModel model, String layer) {
    for (LayerSpec spec : model.spec().layers()) {
      if (spec.name().equals(layer)) {
        return spec.cost();
      }
    }
    throw new AssertionError("no layer " + layer);
  }

  @Test
  void denseIsItsKernelTimesThreeAndItsBiasAndActivationTwice() {
    MlpModel mlp = MlpModel.create(1);
    long in = 512;
    long units = 216;
    long product = 2 * in * units;
    long forward = product + units /* bias */ + units /* relu */;
    long backward = product /* kernel gradient */ + units /* bias gradient */
        + product /* input gradient */ + units /* relu */;
    LayerCost hidden2 = cost(mlp, "hidden2");
    assertEquals(forward, hidden2.forwardFlops().at(0));
    assertEquals(forward + backward, hidden2.trainingFlops().at(0));
    // ReLU keeps no pre-activation; training keeps the output's gradient.
    assertEquals(units, hidden2.activations().at(0));
    assertEquals(units, hidden2.trainingBuffers().at(0));

    // The first layer reads the model's input, whose gradient nobody needs.
    LayerCost hidden1 = cost(mlp, "hidden1");
    long first = 2 * 784 * 512;
    assertEquals(first + 512 + 512 + first + 512 + 512, hidden1.trainingFlops().at(0));
  }

  @Test
  void conv2DAppliesItsWholeKernelAtEveryOutputPixel() {
    CnnFlatModel cnn = CnnFlatModel.create(1);
    // conv2: 14x14x128 in, 4x4 kernel, 64 filters, same padding: 14x14 output pixels.
    long pixels = 14 * 14;
    long kernel = 4 * 4 * 128 * 64;
    long outputs = pixels * 64;
    long product = 2 * pixels * kernel;
    long forward = product + outputs /* bias */ + outputs /* relu */;
    long backward = product + outputs + product + outputs;
    LayerCost conv2 = cost(cnn, "conv2");
    assertEquals(forward, conv2.forwardFlops().at(0));
    assertEquals(forward + backward, conv2.trainingFlops().at(0));
    // conv1 reads the image: no input gradient.
    long conv1Product = 2 * (28 * 28) * (4 * 4 * 1 * 128);
    long conv1Outputs = 28 * 28 * 128;
    assertEquals(2 * (conv1Product + 2 * conv1Outputs), cost(cnn, "conv1").trainingFlops().at(0));
  }

  @Test
  void aPredictionCopiesThroughDropoutWhereTrainingMultipliesByTheMask() {
    CnnFlatModel cnn = CnnFlatModel.create(1);
    long features = 7 * 7 * 64;
    LayerCost dropped = cost(cnn, "dropped");
    assertEquals(0, dropped.forwardFlops().at(0));
    // the mask's product forward and backward
    assertEquals(features + features, dropped.trainingFlops().at(0));
    // training keeps the mask besides the output's gradient
    assertEquals(features + features, dropped.trainingBuffers().at(0));
    // Flatten only moves data.
    assertEquals(0, cost(cnn, "flat").trainingFlops().at(0));
  }

  @Test
  void lstmIsFourGatesOfTwoProductsAndNineCellOperationsPerUnitAndStep() {
    RnnRowsModel rnn = RnnRowsModel.create(1);
    long steps = 28;
    long features = 28;
    long units = 128;
    long width = 4 * units;
    long inputProduct = 2 * features * width;
    long recurrentProduct = 2 * units * width;
    long bias = width;
    long cell = 9 * units; // 3 sigmoids, 2 tanh, 3 products, 1 sum
    long forward = steps * (inputProduct + recurrentProduct + bias + cell);
    // kernel and recurrent kernel gradients, the gradient back through the recurrent kernel, the
    // bias gradient, twice the cell's work; no input gradient (the rows are the model's input)
    long backward = steps * (inputProduct + 2 * recurrentProduct + bias + 2 * cell);
    LayerCost lstm = cost(rnn, "lstm");
    assertEquals(forward, lstm.forwardFlops().at(0));
    assertEquals(forward + backward, lstm.trainingFlops().at(0));
    // Training keeps the output's gradient and a trace of 7 values per unit and step.
    assertEquals(units + steps * 7 * units, lstm.trainingBuffers().at(0));
  }

  @Test
  void attentionGrowsWithTheSquareOfTheSteps() {
    VariableAttentionModel model = VariableAttentionModel.create(1);
    LayerCost attention = cost(model, "attention");
    long features = 6;
    long heads = 2;
    long keyDim = 4;
    long valueDim = 4;
    long out = features;
    for (long steps : new long[] {1, 7, 50}) {
      long projections = 3 * steps * features * heads * keyDim; // query, key, value
      long biases = heads * steps * (keyDim + keyDim + valueDim) + steps * out;
      long scores = heads * steps * steps;
      long scale = heads * steps * keyDim;
      long softmax = 3 * scores;
      long products = scores * keyDim /* Q K^T */ + scores * valueDim /* P V */
          + steps * heads * valueDim * out /* output projection */;
      long forward = 2 * (projections + products) + biases + scale + softmax;
      // each kernel's gradient, both operands' gradients of the three products, the biases',
      // scale's and softmax's as forward; the input is the model's: no gradient for it
      long backward = 2 * projections + 4 * products + biases + scale + softmax;
      assertEquals(forward, attention.forwardFlops().at(steps), "steps " + steps);
      assertEquals(forward + backward, attention.trainingFlops().at(steps), "steps " + steps);
      // queries, keys, values, scores and context besides the output's gradient
      assertEquals(steps * out + 3 * heads * steps * keyDim + scores + steps * heads * valueDim,
          attention.trainingBuffers().at(steps));
    }
  }

  @Test
  void totalsAddTheLayersAtTheBatchSizeAndTheDataTypesWidth() {
    MlpModel mlp = MlpModel.create(1, DataType.DOUBLE);
    ModelCost cost = mlp.cost(64);
    long forward = 0;
    long training = 0;
    for (LayerSpec layer : mlp.spec().layers()) {
      forward += layer.cost().forwardFlops().at(0);
      training += layer.cost().trainingFlops().at(0);
    }
    assertEquals(64 * forward, cost.predictionFlops());
    assertEquals(64 * training, cost.trainingFlops());
    long parameters = 541_794;
    assertEquals(8 * parameters, cost.parameterBytes());
    assertEquals(8 * parameters, cost.gradientBytes());
    assertEquals(2 * 8 * parameters, cost.optimizerStateBytes()); // Adam's two moments
    // The input and every layer's output; the softmax is fused with the loss, no pre-activation.
    assertEquals(64 * 8 * (784 + 512 + 216 + 128 + 10), cost.activationBytes());
    // Every output's gradient.
    assertEquals(64 * 8 * (512 + 216 + 128 + 10), cost.trainingBufferBytes());
    assertEquals(cost.parameterBytes() + cost.activationBytes(), cost.predictionBytes());
  }

  @Test
  void theSummaryAtABatchSizeKeepsKerasColumnsAndAddsTheCosts() {
    MlpModel mlp = MlpModel.create(1);
    String keras = mlp.summary();
    String costed = mlp.summary(64);
    String[] kerasLines = keras.split("\n");
    String[] costLines = costed.split("\n");
    for (int i = 0; i < kerasLines.length; i++) {
      String line = kerasLines[i];
      boolean rule = line.chars().allMatch(c -> c == '_' || c == '=');
      assertTrue(costLines[i].startsWith(rule ? line : line.stripTrailing()),
          "line " + i + ":\n" + costLines[i] + "\n" + line);
    }
    assertTrue(costLines[1].contains("Forward FLOPs"), costLines[1]);
    ModelCost cost = mlp.cost(64);
    assertTrue(costed.contains(String.format("Prediction: %,d FLOPs", cost.predictionFlops())),
        costed);
    assertTrue(costed.contains(String.format("Training step: %,d FLOPs", cost.trainingFlops())),
        costed);
  }

  @Test
  void aVariableLengthModelAsksForTheSteps() {
    VariableAttentionModel model = VariableAttentionModel.create(1);
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> model.summary(32));
    assertTrue(error.getMessage().contains("summary(32, 100)"), error.getMessage());
    assertTrue(model.summary(32, 10).contains("32, 10 steps"), model.summary(32, 10));
  }

  @Test
  void buildWritesTheSummaryWithCostsAtBatch32() throws Exception {
    Path classes = Path.of(MlpModel.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    String built = Files.readString(classes.resolve("dev/kiln/examples/MlpModel.cost.txt"));
    assertEquals(MlpModel.create(1).summary(32), built);
  }
}
