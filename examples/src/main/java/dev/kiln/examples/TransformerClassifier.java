package dev.kiln.examples;

import static dev.kiln.Activation.GELU;
import static dev.kiln.Activation.SOFTMAX;
import static dev.kiln.DType.INT32;
import static dev.kiln.Loss.SPARSE_CATEGORICAL_CROSSENTROPY;
import static dev.kiln.Metric.ACCURACY;

import dev.kiln.*;

/**
 * A transformer text classifier as Keras' text-classification example builds it: token and
 * position embeddings added, two encoder blocks (self-attention and a GELU feed-forward network,
 * each added back to its input and layer-normalized), global average pooling over the tokens and
 * a softmax over two classes. The encoder is written once, as a block, and applied twice.
 */
@Model(optimizer = Optimizer.ADAM, learningRate = 5e-3)
public interface TransformerClassifier {

  /** The number of token ids; id 0 is never used, as a padding id would be. */
  int VOCABULARY = 16;

  /** Tokens per text. */
  int LENGTH = 8;

  /** The features of each token: the embeddings' size and the encoders'. */
  int WIDTH = 16;

  /** An encoder's sizes: attention heads of {@code keyDim} each, a feed-forward layer of {@code hidden}. */
  @interface EncoderSize { int heads(); int keyDim(); int hidden(); int width(); }

  /** Post-norm transformer encoder: attention, add and normalize; feed-forward, add and normalize. */
  @Block(parameters = EncoderSize.class)
  interface Encoder {
    @Input(shape = {-1, -1}) Tensor x();
    @MultiHeadAttention(numHeads = 0, keyDim = 0) @Bind(numHeads = "heads", keyDim = "keyDim")
    Tensor attention(Tensor x);
    @Add Tensor attended(Tensor x, Tensor attention);
    @LayerNormalization(epsilon = 1e-6) Tensor attentionNorm(Tensor attended);
    @Dense(units = 0, activation = GELU) @Bind(units = "hidden") Tensor feedForward(Tensor attentionNorm);
    @Dense(units = 0) @Bind(units = "width") Tensor projected(Tensor feedForward);
    @Add Tensor fed(Tensor attentionNorm, Tensor projected);
    @LayerNormalization(epsilon = 1e-6) Tensor out(Tensor fed);
  }

  @Input(shape = LENGTH, dtype = INT32) Tensor tokens();
  @Embedding(inputDim = VOCABULARY, outputDim = WIDTH) Tensor tokenEmbedding(Tensor tokens);
  @PositionEmbedding(sequenceLength = LENGTH) Tensor positions(Tensor tokenEmbedding);
  @Add Tensor embedded(Tensor tokenEmbedding, Tensor positions);
  @Apply(Encoder.class) @EncoderSize(heads = 2, keyDim = 8, hidden = 32, width = WIDTH)
  Tensor encoder1(Tensor embedded);
  @Apply(Encoder.class) @EncoderSize(heads = 2, keyDim = 8, hidden = 32, width = WIDTH)
  Tensor encoder2(Tensor encoder1);
  @GlobalAveragePooling1D Tensor pooled(Tensor encoder2);
  @Output(loss = SPARSE_CATEGORICAL_CROSSENTROPY, metrics = ACCURACY)
  @Dense(units = 2, activation = SOFTMAX) Tensor label(Tensor pooled);
}
