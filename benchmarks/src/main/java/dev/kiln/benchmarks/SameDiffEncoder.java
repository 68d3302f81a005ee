package dev.kiln.benchmarks;

import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;

/**
 * The benchmark's transformer encoder block ({@code TransformerEncoder}) as a DL4J {@link
 * SameDiff} graph: DL4J's ComputationGraph has no LayerNormalization layer, and its attention
 * layers have no projection biases, so the block is written out with SameDiff's operations, one
 * for one as Kiln's kernels compute it: Keras' multi-head attention with biases (queries scaled
 * by {@code 1 / sqrt(keyDim)}, batched products over heads, softmax over the keys), residual add,
 * layer normalization, Dense 512 with GELU, Dense 128, residual add, layer normalization, mean
 * squared error, Adam. Glorot-uniform kernels and zero biases, as Keras initialises them.
 *
 * <p>Two operations differ from Kiln's, as SameDiff has no exact equivalent: its {@code
 * layerNorm} takes no epsilon (libnd4j's own applies), and its GELU is the tanh approximation
 * ({@code preciseGelu}; its {@code gelu} is the cruder sigmoid one) rather than Keras' exact
 * {@code x * Phi(x)}. Neither changes the work of a step by more than a few operations per value.
 */
final class SameDiffEncoder {

  private static final int STEPS = 64;
  private static final int WIDTH = 128;
  private static final int HEADS = 4;
  private static final int KEY_DIM = 32;
  private static final int HIDDEN = 512;

  private SameDiffEncoder() {}

  /** The block training on {@code (x, y)} with {@code fit} and predicting with {@code output}. */
  static Workload workload(RandomData data, INDArray x, INDArray y) {
    SameDiff sd = SameDiff.create();
    SDVariable input = sd.placeHolder("x", DataType.FLOAT, -1, STEPS, WIDTH);
    SDVariable target = sd.placeHolder("y", DataType.FLOAT, -1, STEPS, WIDTH);
    SDVariable rows = sd.reshape(input, -1, WIDTH);

    SDVariable queries = heads(sd, dense(sd, data, "query", rows, WIDTH, HEADS * KEY_DIM))
        .mul(1 / Math.sqrt(KEY_DIM));
    SDVariable keys = heads(sd, dense(sd, data, "key", rows, WIDTH, HEADS * KEY_DIM));
    SDVariable values = heads(sd, dense(sd, data, "value", rows, WIDTH, HEADS * KEY_DIM));
    SDVariable scores = sd.mmul(queries, keys, false, true, false);
    SDVariable probabilities = sd.nn().softmax(scores, -1);
    SDVariable context = sd.reshape(sd.permute(sd.mmul(probabilities, values), 0, 2, 1, 3),
        -1, HEADS * KEY_DIM);
    SDVariable attention = dense(sd, data, "attentionOutput", context, HEADS * KEY_DIM, WIDTH);

    SDVariable attentionNorm = layerNorm(sd, "attentionNorm", rows.add(attention));
    SDVariable feedForward = sd.nn().preciseGelu(
        dense(sd, data, "feedForward", attentionNorm, WIDTH, HIDDEN));
    SDVariable projected = dense(sd, data, "projected", feedForward, HIDDEN, WIDTH);
    SDVariable out = layerNorm(sd, "out", attentionNorm.add(projected));
    SDVariable encoded = sd.reshape(out, -1, STEPS, WIDTH).rename("encoded");
    sd.loss().meanSquaredError("loss", target, encoded, null);

    sd.setTrainingConfig(TrainingConfig.builder()
        .updater(new Adam(1e-3, 0.9, 0.999, 1e-7))
        .dataSetFeatureMapping("x")
        .dataSetLabelMapping("y")
        .build());
    DataSet batch = new DataSet(x, y);
    Map<String, INDArray> placeholders = Map.of("x", x);
    long parameters = sd.variables().stream()
        .filter(v -> v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE)
        .mapToLong(v -> v.getArr().length())
        .sum();
    return Workload.of(parameters, () -> sd.fit(batch), () -> sd.outputSingle(placeholders, "encoded"));
  }

  /** {@code rows . kernel + bias}: a Glorot-uniform kernel and a zero bias. */
  private static SDVariable dense(SameDiff sd, RandomData data, String name, SDVariable rows,
      int in, int out) {
    double limit = Math.sqrt(6.0 / (in + out));
    INDArray kernel = data.uniform(in, out).muli(2 * limit).subi(limit);
    SDVariable w = sd.var(name + "Kernel", kernel);
    SDVariable b = sd.var(name + "Bias", org.nd4j.linalg.factory.Nd4j.zeros(DataType.FLOAT, out));
    return sd.mmul(rows, w).add(b);
  }

  /** Rows {@code (n * steps, heads * size)} as heads {@code (n, heads, steps, size)}. */
  private static SDVariable heads(SameDiff sd, SDVariable rows) {
    return sd.permute(sd.reshape(rows, -1, STEPS, HEADS, KEY_DIM), 0, 2, 1, 3);
  }

  /** Layer normalization over the last axis of rows, gain 1 and bias 0 to start. */
  private static SDVariable layerNorm(SameDiff sd, String name, SDVariable rows) {
    SDVariable gain = sd.var(name + "Gamma", org.nd4j.linalg.factory.Nd4j.ones(DataType.FLOAT, WIDTH));
    SDVariable bias = sd.var(name + "Beta", org.nd4j.linalg.factory.Nd4j.zeros(DataType.FLOAT, WIDTH));
    return sd.nn().layerNorm(rows, gain, bias, false, 1);
  }
}
