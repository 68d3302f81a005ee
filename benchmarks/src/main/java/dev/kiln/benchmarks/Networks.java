package dev.kiln.benchmarks;

import dev.kiln.examples.CnnFlatModel;
import dev.kiln.examples.CnnModel;
import dev.kiln.examples.HeadlinesModel;
import dev.kiln.examples.MlpModel;
import dev.kiln.examples.MultipleInputsModel;
import dev.kiln.examples.MultipleOutputsModel;
import dev.kiln.examples.RnnModel;
import dev.kiln.examples.RnnRowsModel;
import dev.kiln.examples.SharedFeatureExtractionModel;
import dev.kiln.examples.SharedInputModel;
import dev.kiln.examples.TransformerEncoderModel;
import java.util.List;
import java.util.function.Function;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The seed networks that have a DL4J twin, each built both ways on one random batch, and one
 * transformer encoder block, whose twin is a DL4J SameDiff graph. UNet has none here: at 256x256
 * a single DL4J step takes minutes on two cores.
 */
final class Networks {

  /** The batch size of every measurement, Keras' and the issue's. */
  static final int BATCH = 64;

  /** The seed the Kiln models are initialised from. */
  private static final long SEED = 42;

  private Networks() {}

  /** A seed network and how to build its Kiln model and DL4J twin over one batch. */
  record Network(String key, String title, boolean longSequence, Function<RandomData, Twins> build) {}

  /** The same network in both frameworks, reading the same arrays. */
  record Twins(Workload kiln, Workload dl4j) {}

  /** Every network, in the order of the table. */
  static List<Network> all() {
    return List.of(
        new Network("mlp", "MLP 784-512-216-128-10", false, Networks::mlp),
        new Network("cnnflat", "CNN (CnnFlat: Flatten, Dropout)", false, Networks::cnnFlat),
        new Network("cnn", "CNN as the seed writes it (Dense on 4x4x64)", false, Networks::cnn),
        new Network("sharedinput", "Shared input (two conv branches)", false, Networks::sharedInput),
        new Network("multipleinputs", "Multiple inputs (64x64 gray + 32x32 RGB)", false,
            Networks::multipleInputs),
        new Network("rnnrows", "LSTM(128) on 28x28 rows (RnnRows)", false, Networks::rnnRows),
        new Network("headlines", "Headlines (embedding, LSTM(32) over 100 tokens, 2 outputs)",
            false, Networks::headlines),
        new Network("sharedfeatures", "Shared feature extraction (LSTM(128), 784 steps)", true,
            Networks::sharedFeatureExtraction),
        new Network("multipleoutputs", "Multiple outputs (LSTM(64)+LSTM(32), 784 steps)", true,
            Networks::multipleOutputs),
        new Network("encoder", "Transformer encoder block (64 tokens of 128, 4 heads, feed-forward"
            + " 512; DL4J: SameDiff)", false, Networks::encoder),
        new Network("rnn", "LSTM(128) on 784 pixels (Rnn)", true, Networks::rnn));
  }

  private static Twins mlp(RandomData data) {
    INDArray x = data.uniform(BATCH, 784);
    INDArray y = data.oneHot(BATCH, 10);
    MlpModel kiln = MlpModel.create(SEED);
    return new Twins(
        Workload.of(kiln, BATCH, () -> kiln.trainStep(x, y), () -> kiln.predict(x, BATCH)),
        dl4j(Dl4jTwins.mlp(), arrays(x), arrays(y)));
  }

  private static Twins cnnFlat(RandomData data) {
    INDArray x = data.uniform(BATCH, 28, 28, 1);
    INDArray y = data.oneHot(BATCH, 10);
    CnnFlatModel kiln = CnnFlatModel.create(SEED);
    return new Twins(
        Workload.of(kiln, BATCH, () -> kiln.trainStep(x, y), () -> kiln.predict(x, BATCH)),
        dl4j(Dl4jTwins.cnnFlat(), arrays(x), arrays(y)));
  }

  private static Twins cnn(RandomData data) {
    INDArray x = data.uniform(BATCH, 28, 28, 1);
    INDArray y = data.oneHot(BATCH, 4, 4, 10);
    CnnModel kiln = CnnModel.create(SEED);
    return new Twins(
        Workload.of(kiln, BATCH, () -> kiln.trainStep(x, y), () -> kiln.predict(x, BATCH)),
        dl4j(Dl4jTwins.cnn(), arrays(x), arrays(y)));
  }

  private static Twins sharedInput(RandomData data) {
    INDArray x = data.uniform(BATCH, 28, 28, 1);
    INDArray y = data.oneHot(BATCH, 10);
    SharedInputModel kiln = SharedInputModel.create(SEED);
    return new Twins(
        Workload.of(kiln, BATCH, () -> kiln.trainStep(x, y), () -> kiln.predict(x, BATCH)),
        dl4j(Dl4jTwins.sharedInput(), arrays(x), arrays(y)));
  }

  private static Twins multipleInputs(RandomData data) {
    INDArray gray = data.uniform(BATCH, 64, 64, 1);
    INDArray rgb = data.uniform(BATCH, 32, 32, 3);
    INDArray y = data.oneHot(BATCH, 10);
    MultipleInputsModel kiln = MultipleInputsModel.create(SEED);
    return new Twins(
        Workload.of(kiln, BATCH,
            () -> kiln.trainStep(gray, rgb, y), () -> kiln.predict(gray, rgb, BATCH)),
        dl4j(Dl4jTwins.multipleInputs(), arrays(gray, rgb), arrays(y)));
  }

  private static Twins rnnRows(RandomData data) {
    INDArray x = data.uniform(BATCH, 28, 28);
    INDArray y = data.oneHot(BATCH, 10);
    RnnRowsModel kiln = RnnRowsModel.create(SEED);
    return new Twins(
        Workload.of(kiln, BATCH, () -> kiln.trainStep(x, y), () -> kiln.predict(x, BATCH)),
        dl4j(Dl4jTwins.rnnRows(), arrays(x), arrays(y)));
  }

  private static Twins rnn(RandomData data) {
    INDArray x = data.uniform(BATCH, 784, 1);
    INDArray y = data.oneHot(BATCH, 10);
    RnnModel kiln = RnnModel.create(SEED);
    return new Twins(
        Workload.of(kiln, BATCH, () -> kiln.trainStep(x, y), () -> kiln.predict(x, BATCH)),
        dl4j(Dl4jTwins.rnn(), arrays(x), arrays(y)));
  }

  private static Twins sharedFeatureExtraction(RandomData data) {
    INDArray x = data.uniform(BATCH, 784, 1);
    INDArray y = data.oneHot(BATCH, 10);
    SharedFeatureExtractionModel kiln = SharedFeatureExtractionModel.create(SEED);
    return new Twins(
        Workload.of(kiln, BATCH, () -> kiln.trainStep(x, y), () -> kiln.predict(x, BATCH)),
        dl4j(Dl4jTwins.sharedFeatureExtraction(), arrays(x), arrays(y)));
  }

  private static Twins multipleOutputs(RandomData data) {
    INDArray x = data.uniform(BATCH, 784, 1);
    INDArray perSequence = data.oneHot(BATCH, 10);
    INDArray perStep = data.oneHot(BATCH, 784, 10);
    MultipleOutputsModel kiln = MultipleOutputsModel.create(SEED);
    return new Twins(
        Workload.of(kiln, BATCH,
            () -> kiln.trainStep(x, perSequence, perStep), () -> kiln.predict(x, BATCH)),
        dl4j(Dl4jTwins.multipleOutputs(), arrays(x), arrays(perSequence, perStep)));
  }

  private static Twins headlines(RandomData data) {
    INDArray tokens = data.tokens(10_000, BATCH, 100);
    INDArray aux = data.uniform(BATCH, 5);
    INDArray main = data.bits(BATCH, 1);
    INDArray auxTarget = data.bits(BATCH, 1);
    HeadlinesModel kiln = HeadlinesModel.create(SEED);
    // DL4J's embedding reads token ids from a floating-point array.
    INDArray tokensAsFloats = tokens.castTo(DataType.FLOAT);
    return new Twins(
        Workload.of(kiln, BATCH,
            () -> kiln.trainStep(tokens, aux, main, auxTarget),
            () -> kiln.predict(tokens, aux, BATCH)),
        dl4j(Dl4jTwins.headlines(), arrays(tokensAsFloats, aux), arrays(main, auxTarget)));
  }

  private static Twins encoder(RandomData data) {
    INDArray x = data.uniform(BATCH, 64, 128).muli(2).subi(1);
    INDArray y = data.uniform(BATCH, 64, 128).muli(2).subi(1);
    TransformerEncoderModel kiln = TransformerEncoderModel.create(SEED);
    return new Twins(
        Workload.of(kiln, BATCH, () -> kiln.trainStep(x, y), () -> kiln.predict(x, BATCH)),
        SameDiffEncoder.workload(data, x, y));
  }

  /**
   * A ComputationGraph training with {@code fit} and predicting with {@code output}, built on first
   * use: a measurement of Kiln's memory alone ({@link MemoryProbe}) never makes its arrays.
   */
  private static Workload dl4j(
      ComputationGraphConfiguration configuration, INDArray[] inputs, INDArray[] labels) {
    java.util.function.Supplier<ComputationGraph> built = new java.util.function.Supplier<>() {
      private ComputationGraph graph;

      @Override
      public ComputationGraph get() {
        if (graph == null) {
          graph = new ComputationGraph(configuration);
          graph.init();
        }
        return graph;
      }
    };
    return new Workload() {
      @Override
      public long parameterCount() {
        return built.get().numParams();
      }

      @Override
      public void trainStep() {
        built.get().fit(inputs, labels);
      }

      @Override
      public void predict() {
        built.get().output(false, inputs);
      }
    };
  }

  private static INDArray[] arrays(INDArray... arrays) {
    return arrays;
  }
}
