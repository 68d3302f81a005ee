package dev.kiln.benchmarks;

import static dev.kiln.benchmarks.Dl4jLayers.adam;
import static dev.kiln.benchmarks.Dl4jLayers.conv;
import static dev.kiln.benchmarks.Dl4jLayers.dense;
import static dev.kiln.benchmarks.Dl4jLayers.lstm;
import static dev.kiln.benchmarks.Dl4jLayers.lstmLast;
import static dev.kiln.benchmarks.Dl4jLayers.maxPool;
import static dev.kiln.benchmarks.Dl4jLayers.network;
import static dev.kiln.benchmarks.Dl4jLayers.rmsProp;
import static dev.kiln.benchmarks.Dl4jLayers.sameConv;
import static dev.kiln.benchmarks.Dl4jLayers.softmaxOutput;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossBinaryXENT;

/**
 * The seed networks of {@code dev.kiln.examples} written as DL4J ComputationGraphs: the same
 * layers, sizes, activations, losses and optimizer, layer by layer. Where DL4J cannot say what
 * Keras says, the method's Javadoc says what stands in for it.
 */
final class Dl4jTwins {

  private Dl4jTwins() {}

  /** {@code Mlp}: 784-512-216-128-10. */
  static ComputationGraphConfiguration mlp() {
    return network(adam()).graphBuilder()
        .addInputs("input")
        .setInputTypes(InputType.feedForward(784))
        .addLayer("hidden1", dense(512, Activation.RELU), "input")
        .addLayer("hidden2", dense(216, Activation.RELU), "hidden1")
        .addLayer("hidden3", dense(128, Activation.RELU), "hidden2")
        .addLayer("output", softmaxOutput(10), "hidden3")
        .setOutputs("output")
        .build();
  }

  /**
   * {@code CnnFlat}: two convolutions with same padding and pools, Flatten, Dropout 0.3, Dense 64,
   * Dense 10.
   */
  static ComputationGraphConfiguration cnnFlat() {
    // DL4J flattens before a dense layer by itself (a CnnToFeedForward preprocessor).
    return network(adam()).graphBuilder()
        .addInputs("input")
        .setInputTypes(InputType.convolutional(28, 28, 1, CNN2DFormat.NHWC))
        .addLayer("conv1", sameConv(128, 4), "input")
        .addLayer("pool1", maxPool(2), "conv1")
        .addLayer("conv2", sameConv(64, 4), "pool1")
        .addLayer("pool2", maxPool(2), "conv2")
        // DL4J's dropout takes the probability of keeping a value: 0.7 drops 0.3, as Keras' 0.3.
        .addLayer("dropped", new DropoutLayer.Builder(0.7).build(), "pool2")
        .addLayer("hidden1", dense(64, Activation.RELU), "dropped")
        .addLayer("output", softmaxOutput(10), "hidden1")
        .setOutputs("output")
        .build();
  }

  /**
   * {@code Cnn}, the seed's CNN without Flatten, whose two Dense layers act on the last axis of
   * {@code (n, 4, 4, 64)}. DL4J's dense layers flatten rank-4 input instead, so the twin uses what
   * Keras' Dense on the last axis is: 1x1 convolutions with the same weights {@code (64, units)}
   * and biases, and a per-pixel softmax with cross-entropy ({@code CnnLossLayer}).
   */
  static ComputationGraphConfiguration cnn() {
    return network(adam()).graphBuilder()
        .addInputs("input")
        .setInputTypes(InputType.convolutional(28, 28, 1, CNN2DFormat.NHWC))
        .addLayer("conv1", conv(128, 4), "input")
        .addLayer("pool1", maxPool(2), "conv1")
        .addLayer("conv2", conv(64, 4), "pool1")
        .addLayer("pool2", maxPool(2), "conv2")
        .addLayer("hidden1", pointwise(64, Activation.RELU), "pool2")
        .addLayer("logits", pointwise(10, Activation.IDENTITY), "hidden1")
        .addLayer("output",
            new CnnLossLayer.Builder(LossFunction.MCXENT)
                .activation(Activation.SOFTMAX)
                .format(CNN2DFormat.NHWC)
                .build(),
            "logits")
        .setOutputs("output")
        .build();
  }

  /** {@code SharedInput}: one image read by a 4x4 and an 8x8 branch, joined after Flatten. */
  static ComputationGraphConfiguration sharedInput() {
    return network(adam()).graphBuilder()
        .addInputs("input")
        .setInputTypes(InputType.convolutional(28, 28, 1, CNN2DFormat.NHWC))
        .addLayer("conv1", conv(32, 4), "input")
        .addLayer("pool1", maxPool(2), "conv1")
        .addVertex("flat1", flatten(12, 12, 32), "pool1")
        .addLayer("conv2", conv(16, 8), "input")
        .addLayer("pool2", maxPool(2), "conv2")
        .addVertex("flat2", flatten(10, 10, 16), "pool2")
        .addVertex("merge", new MergeVertex(), "flat1", "flat2")
        .addLayer("hidden1", dense(64, Activation.RELU), "merge")
        .addLayer("output", softmaxOutput(10), "hidden1")
        .setOutputs("output")
        .build();
  }

  /** {@code MultipleInputs}: a 64x64 gray and a 32x32 RGB image, each through two convolutions. */
  static ComputationGraphConfiguration multipleInputs() {
    return network(adam()).graphBuilder()
        .addInputs("grayBig", "rgbSmall")
        .setInputTypes(
            InputType.convolutional(64, 64, 1, CNN2DFormat.NHWC),
            InputType.convolutional(32, 32, 3, CNN2DFormat.NHWC))
        .addLayer("conv11", conv(32, 4), "grayBig")
        .addLayer("pool11", maxPool(2), "conv11")
        .addLayer("conv12", conv(16, 4), "pool11")
        .addLayer("pool12", maxPool(2), "conv12")
        .addVertex("flat1", flatten(13, 13, 16), "pool12")
        .addLayer("conv21", conv(32, 4), "rgbSmall")
        .addLayer("pool21", maxPool(2), "conv21")
        .addLayer("conv22", conv(16, 4), "pool21")
        .addLayer("pool22", maxPool(2), "conv22")
        .addVertex("flat2", flatten(5, 5, 16), "pool22")
        .addVertex("merge", new MergeVertex(), "flat1", "flat2")
        .addLayer("hidden1", dense(128, Activation.RELU), "merge")
        .addLayer("hidden2", dense(64, Activation.RELU), "hidden1")
        .addLayer("output", softmaxOutput(10), "hidden2")
        .setOutputs("output")
        .build();
  }

  /** {@code RnnRows}: LSTM(128) over the 28 rows of an image, Dense 128, Dense 10. */
  static ComputationGraphConfiguration rnnRows() {
    return lstmClassifier(28, 28);
  }

  /** {@code Rnn}: LSTM(128) over the 784 pixels of an image, one feature a step. */
  static ComputationGraphConfiguration rnn() {
    return lstmClassifier(784, 1);
  }

  /** {@code SharedFeatureExtraction}: one LSTM read by a shallow and a deep interpretation. */
  static ComputationGraphConfiguration sharedFeatureExtraction() {
    return network(adam()).graphBuilder()
        .addInputs("input")
        .setInputTypes(InputType.recurrent(1, 784, RNNFormat.NWC))
        .addLayer("lstm1", lstmLast(128), "input")
        .addLayer("interp1", dense(10, Activation.RELU), "lstm1")
        .addLayer("interp21", dense(64, Activation.RELU), "lstm1")
        .addLayer("interp22", dense(32, Activation.RELU), "interp21")
        .addLayer("interp23", dense(10, Activation.RELU), "interp22")
        .addVertex("merge", new MergeVertex(), "interp1", "interp23")
        .addLayer("output", softmaxOutput(10), "merge")
        .setOutputs("output")
        .build();
  }

  /**
   * {@code MultipleOutputs}: a sequence-returning LSTM feeding a per-sequence and a per-step
   * softmax. The per-step output is DL4J's {@code RnnOutputLayer}, Keras' TimeDistributed Dense.
   */
  static ComputationGraphConfiguration multipleOutputs() {
    return network(adam()).graphBuilder()
        .addInputs("input")
        .setInputTypes(InputType.recurrent(1, 784, RNNFormat.NWC))
        .addLayer("extract", lstm(64), "input")
        .addLayer("class11", lstmLast(32), "extract")
        .addLayer("class12", dense(32, Activation.RELU), "class11")
        .addLayer("output1", softmaxOutput(10), "class12")
        .addLayer("output2",
            new RnnOutputLayer.Builder(LossFunction.MCXENT)
                .nOut(10)
                .activation(Activation.SOFTMAX)
                .dataFormat(RNNFormat.NWC)
                .build(),
            "extract")
        .setOutputs("output1", "output2")
        .build();
  }

  /**
   * {@code Headlines}: token ids through an embedding and an LSTM, joined with auxiliary features,
   * two sigmoid outputs, RMSprop. Keras' loss weights (1.0 and 0.2) become the auxiliary loss's
   * per-column weight, which for a one-column output is the same thing. Every layer's input size
   * is given, without input types: DL4J's type inference would set the embedding's vocabulary to
   * the sequence length.
   */
  static ComputationGraphConfiguration headlines() {
    return network(rmsProp()).graphBuilder()
        .addInputs("mainInput", "auxInput")
        .addLayer("embedding",
            new EmbeddingSequenceLayer.Builder()
                .nIn(10_000)
                .nOut(512)
                .inputLength(100)
                .hasBias(false)
                .outputDataFormat(RNNFormat.NWC)
                .build(),
            "mainInput")
        .addLayer("lstm", new LastTimeStep(withInputs(lstm(32), 512)), "embedding")
        .addVertex("merged", new MergeVertex(), "lstm", "auxInput")
        .addLayer("dense1", withInputs(dense(64, Activation.RELU), 32 + 5), "merged")
        .addLayer("dense2", withInputs(dense(64, Activation.RELU), 64), "dense1")
        .addLayer("dense3", withInputs(dense(64, Activation.RELU), 64), "dense2")
        .addLayer("mainOutput", withInputs(sigmoidOutput(1.0), 64), "dense3")
        .addLayer("auxOutput", withInputs(sigmoidOutput(0.2), 32), "lstm")
        .setOutputs("mainOutput", "auxOutput")
        .build();
  }

  private static ComputationGraphConfiguration lstmClassifier(int steps, int features) {
    return network(adam()).graphBuilder()
        .addInputs("input")
        .setInputTypes(InputType.recurrent(features, steps, RNNFormat.NWC))
        .addLayer("lstm", lstmLast(128), "input")
        .addLayer("hidden1", dense(128, Activation.RELU), "lstm")
        .addLayer("output", softmaxOutput(10), "hidden1")
        .setOutputs("output")
        .build();
  }

  /** Keras' Dense on the last axis of an image: a 1x1 convolution. */
  private static ConvolutionLayer pointwise(int units, Activation activation) {
    return new ConvolutionLayer.Builder(1, 1)
        .nOut(units)
        .activation(activation)
        .convolutionMode(ConvolutionMode.Truncate)
        .dataFormat(CNN2DFormat.NHWC)
        .build();
  }

  /**
   * Keras' Flatten of a channels-last image, for a branch that is concatenated before the dense
   * layer (DL4J's own flattening happens only in front of a dense layer).
   */
  private static PreprocessorVertex flatten(int height, int width, int channels) {
    return new PreprocessorVertex(
        new CnnToFeedForwardPreProcessor(height, width, channels, CNN2DFormat.NHWC));
  }

  private static <L extends FeedForwardLayer> L withInputs(L layer, int inputs) {
    layer.setNIn(inputs);
    return layer;
  }

  private static OutputLayer sigmoidOutput(double lossWeight) {
    return new OutputLayer.Builder()
        .lossFunction(new LossBinaryXENT(Nd4j.createFromArray(new float[] {(float) lossWeight})))
        .nOut(1)
        .activation(Activation.SIGMOID)
        .build();
  }
}
