package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.testing.PlainArrays;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The attention kernel against PyTorch in float64: forward values, probabilities and the
 * gradients of every input and weight, from {@code torch-attention-fixtures.txt}, which {@code
 * runtime/src/test/python/attention_fixtures.py} writes. The reference is Keras' definition
 * (its einsum equations, its weight layout, queries scaled by {@code 1 / sqrt(keyDim)}, -1e9 on
 * masked scores) computed by torch; for the self-attention cases the script also checked that
 * {@code torch.nn.MultiheadAttention}, given the same weights, agrees. Keras and PyTorch's module
 * differ where the module cannot express Keras' layer (a keyDim, valueDim or output size of its
 * own); there Kiln follows Keras, as the cross-attention cases do.
 */
class TorchAttentionTest {

  /** Float64 rounding of sums of a few dozen products of numbers below 10. */
  private static final double TOLERANCE = 1e-12;

  private static Map<String, double[]> fixtures;

  @BeforeAll
  static void readFixtures() {
    fixtures = TorchFixtures.read("torch-attention-fixtures.txt");
  }

  @Test
  void selfAttentionAgreesWithTorch() {
    assertEquals(1.0, fixtures.get("self.torchModuleAgrees")[0], "torch's own module checked");
    check("self");
  }

  @Test
  void causalSelfAttentionAgreesWithTorch() {
    assertEquals(1.0, fixtures.get("causal.torchModuleAgrees")[0], "torch's own module checked");
    check("causal");
  }

  @Test
  void crossAttentionWithItsOwnKeyAgreesWithKerasDefinitionInTorch() {
    check("cross");
  }

  @Test
  void causalCrossAttentionOfAShorterQueryAgrees() {
    check("causalCross");
  }

  private static void check(String name) {
    double[] s = fixtures.get(name + ".settings");
    MultiHeadAttention.Settings settings =
        new MultiHeadAttention.Settings((int) s[0], (int) s[1], (int) s[2], s[3] == 1, 0);
    INDArray query = array(name + ".query");
    boolean self = !fixtures.containsKey(name + ".value");
    INDArray value = self ? query : array(name + ".value");
    boolean ownKey = fixtures.containsKey(name + ".key");
    INDArray key = ownKey ? array(name + ".key") : value;
    MultiHeadAttention.Parameters params = parameters(name + ".");
    INDArray r = array(name + ".r");
    long n = query.size(0);
    long tq = query.size(1);
    long tv = value.size(1);
    int heads = settings.heads();
    MultiHeadAttention.Trace trace = new MultiHeadAttention.Trace(
        LayerChecks.nans(n, heads, tq, settings.keyDim()),
        LayerChecks.nans(n, heads, tv, settings.keyDim()),
        LayerChecks.nans(n, heads, tv, settings.valueDim()),
        LayerChecks.nans(n, heads, tq, tv), null, null,
        LayerChecks.nans(n, tq, (long) heads * settings.valueDim()));
    INDArray out = LayerChecks.nansLike(r);
    MultiHeadAttention.forward(query, value, key, params, settings, false, null, trace, out);
    assertClose(name + ".out", out);
    assertClose(name + ".scores", trace.scores());

    MultiHeadAttention.Parameters grads = new MultiHeadAttention.Parameters(
        LayerChecks.nansLike(params.queryKernel()), LayerChecks.nansLike(params.queryBias()),
        LayerChecks.nansLike(params.keyKernel()), LayerChecks.nansLike(params.keyBias()),
        LayerChecks.nansLike(params.valueKernel()), LayerChecks.nansLike(params.valueBias()),
        LayerChecks.nansLike(params.outputKernel()), LayerChecks.nansLike(params.outputBias()));
    INDArray dQuery = LayerChecks.nansLike(query);
    // One tensor as query, value and key: its gradient is the sum, as torch's autograd gives.
    INDArray dValue = self ? dQuery : LayerChecks.nansLike(value);
    INDArray dKey = ownKey ? LayerChecks.nansLike(key) : dValue;
    MultiHeadAttention.backward(query, value, key, params, settings, trace, r, grads, dQuery,
        dValue, dKey);
    assertClose(name + ".d.query", dQuery);
    if (!self) {
      assertClose(name + ".d.value", dValue);
    }
    if (ownKey) {
      assertClose(name + ".d.key", dKey);
    }
    assertClose(name + ".d.queryKernel", grads.queryKernel());
    assertClose(name + ".d.queryBias", grads.queryBias());
    assertClose(name + ".d.keyKernel", grads.keyKernel());
    assertClose(name + ".d.keyBias", grads.keyBias());
    assertClose(name + ".d.valueKernel", grads.valueKernel());
    assertClose(name + ".d.valueBias", grads.valueBias());
    assertClose(name + ".d.outputKernel", grads.outputKernel());
    assertClose(name + ".d.outputBias", grads.outputBias());
  }

  private static MultiHeadAttention.Parameters parameters(String prefix) {
    return new MultiHeadAttention.Parameters(array(prefix + "queryKernel"),
        array(prefix + "queryBias"), array(prefix + "keyKernel"), array(prefix + "keyBias"),
        array(prefix + "valueKernel"), array(prefix + "valueBias"),
        array(prefix + "outputKernel"), array(prefix + "outputBias"));
  }

  /** The fixture {@code name} with its shape. */
  private static INDArray array(String name) {
    double[] values = fixtures.get(name);
    assertTrue(values != null, "no fixture " + name);
    long[] shape = Arrays.stream(fixtures.get(name + ".shape")).mapToLong(v -> (long) v).toArray();
    return Nd4j.createFromArray(values).reshape(shape).castTo(DataType.DOUBLE);
  }

  private static void assertClose(String name, INDArray actual) {
    INDArray expected = array(name);
    assertEquals(Arrays.toString(expected.shape()), Arrays.toString(actual.shape()), name);
    PlainArrays.assertAllClose(PlainArrays.values(expected), actual, TOLERANCE, name);
  }
}
