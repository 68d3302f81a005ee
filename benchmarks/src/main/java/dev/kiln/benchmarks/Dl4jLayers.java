package dev.kiln.benchmarks;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * DL4J layers configured as Kiln's (that is, Keras') defaults: Glorot-uniform kernels, zero
 * biases, valid padding, float32, channels-last images (NHWC) and batch-major sequences (NWC), so
 * that both frameworks see the same data layout.
 */
final class Dl4jLayers {

  /** Keras' epsilon for Adam and RMSprop; DL4J's default is 1e-8. */
  static final double KERAS_EPSILON = 1e-7;

  /** Keras' default learning rate of both optimizers; DL4J's RMSprop default is 0.1. */
  static final double KERAS_LEARNING_RATE = 1e-3;

  private Dl4jLayers() {}

  /** Keras' Adam: beta1 0.9, beta2 0.999, epsilon 1e-7. */
  static IUpdater adam() {
    return new Adam(KERAS_LEARNING_RATE, 0.9, 0.999, KERAS_EPSILON);
  }

  /** Keras' RMSprop: rho 0.9 (DL4J's default decay is 0.95), epsilon 1e-7. */
  static IUpdater rmsProp() {
    return new RmsProp(KERAS_LEARNING_RATE, 0.9, KERAS_EPSILON);
  }

  /** The settings every twin shares, with the model's optimizer. */
  static NeuralNetConfiguration.Builder network(IUpdater updater) {
    return new NeuralNetConfiguration.Builder()
        .seed(42)
        .dataType(DataType.FLOAT)
        .weightInit(WeightInit.XAVIER_UNIFORM)
        .biasInit(0)
        .updater(updater);
  }

  static DenseLayer dense(int units, Activation activation) {
    return new DenseLayer.Builder().nOut(units).activation(activation).build();
  }

  /** A softmax output under categorical cross-entropy. */
  static OutputLayer softmaxOutput(int classes) {
    return new OutputLayer.Builder(LossFunction.MCXENT)
        .nOut(classes)
        .activation(Activation.SOFTMAX)
        .build();
  }

  /** A square convolution, stride 1, valid padding, ReLU, channels-last. */
  static ConvolutionLayer conv(int filters, int size) {
    return conv(filters, size, ConvolutionMode.Truncate);
  }

  /**
   * The same with Keras' {@code same} padding: {@code Same} mode pads as TensorFlow does, the
   * odd pixel of an even kernel after the image.
   */
  static ConvolutionLayer sameConv(int filters, int size) {
    return conv(filters, size, ConvolutionMode.Same);
  }

  private static ConvolutionLayer conv(int filters, int size, ConvolutionMode mode) {
    return new ConvolutionLayer.Builder(size, size)
        .nOut(filters)
        .activation(Activation.RELU)
        .convolutionMode(mode)
        .dataFormat(CNN2DFormat.NHWC)
        .build();
  }

  /** Keras' MaxPooling2D(poolSize): the stride is the pool size. */
  static SubsamplingLayer maxPool(int size) {
    return new SubsamplingLayer.Builder(PoolingType.MAX)
        .kernelSize(size, size)
        .stride(size, size)
        .convolutionMode(ConvolutionMode.Truncate)
        .dataFormat(CNN2DFormat.NHWC)
        .build();
  }

  /** Keras' LSTM with its default activations, over batch-major sequences. */
  static LSTM lstm(int units) {
    return new LSTM.Builder()
        .nOut(units)
        .activation(Activation.TANH)
        .gateActivationFunction(Activation.SIGMOID)
        .dataFormat(RNNFormat.NWC)
        .build();
  }

  /** Keras' LSTM without {@code returnSequences}: only the state after the last step. */
  static LastTimeStep lstmLast(int units) {
    return new LastTimeStep(lstm(units));
  }
}
