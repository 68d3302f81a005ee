package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.testing.PlainArrays;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The kernels that read masks against PyTorch in float64: outputs and the gradients of the inputs
 * and every weight, from {@code torch-mask-fixtures.txt}, which {@code
 * runtime/src/test/python/mask_fixtures.py} writes.
 *
 * <p>Attention: Keras 3's equations in torch with its attention mask (query, value and key masks
 * and the causal mask ANDed, -1e9 added to masked scores before the softmax); for cross-attention
 * to padded values the script checked that {@code torch.nn.MultiheadAttention} with {@code
 * key_padding_mask} agrees. Keras also masks the rows of padded queries, where every score is
 * masked: in float32 such a row is uniform, and Kiln keeps that answer in float64 too (the
 * reference says so); torch's module gives NaN there.
 *
 * <p>Recurrent layers: the reference is a torch step loop with
 * Keras' mask semantics (state carried over a masked step, its output repeated, Keras' default
 * {@code zero_output_for_mask=False}), with padding in the middle of a sequence as well as at its
 * end. PyTorch's own layers have no mask: their packed sequences skip trailing padding only; the
 * script checked that, for the trailing-padded samples, {@code torch.nn.LSTM}, {@code GRU} and
 * {@code RNN} end in the state the loop ends in. Elsewhere Kiln follows Keras.
 */
class TorchMasksTest {

  /** Float64 rounding over a few steps of sums of a few products. */
  private static final double TOLERANCE = 1e-12;

  private static Map<String, double[]> fixtures;

  @BeforeAll
  static void readFixtures() {
    fixtures = TorchFixtures.read("torch-mask-fixtures.txt");
  }

  @ParameterizedTest
  @ValueSource(strings = {"lstmSequences", "lstmLast", "lstmReverse"})
  void lstmAgreesWithTorch(String name) {
    boolean[] settings = settings(name);
    for (boolean traced : new boolean[] {false, true}) {
      INDArray x = array(name + ".x");
      INDArray recurrentKernel = array(name + ".recurrentKernel");
      INDArray trace = traced
          ? LayerChecks.nans(x.size(0), x.size(1), 7 * recurrentKernel.size(0))
          : null;
      Gradients g = new Gradients(name);
      Lstm.forward(x, array(name + ".mask"), array(name + ".kernel"), recurrentKernel,
          array(name + ".bias"), settings[0], settings[1], g.out, trace);
      Lstm.backward(x, array(name + ".mask"), array(name + ".kernel"), recurrentKernel,
          array(name + ".bias"), settings[0], settings[1], array(name + ".r"), g.kernel,
          g.recurrentKernel, g.bias, g.x, trace);
      g.check(name + (traced ? " (traced)" : ""));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"gruSequences", "gruLastReverse"})
  void gruAgreesWithTorch(String name) {
    boolean[] settings = settings(name);
    Gradients g = new Gradients(name);
    Gru.forward(array(name + ".x"), array(name + ".mask"), array(name + ".kernel"),
        array(name + ".recurrentKernel"), array(name + ".bias"), settings[0], settings[1], g.out);
    Gru.backward(array(name + ".x"), array(name + ".mask"), array(name + ".kernel"),
        array(name + ".recurrentKernel"), array(name + ".bias"), settings[0], settings[1],
        array(name + ".r"), g.kernel, g.recurrentKernel, g.bias, g.x);
    g.check(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"rnnSequences", "rnnLast"})
  void simpleRnnAgreesWithTorch(String name) {
    boolean[] settings = settings(name);
    Gradients g = new Gradients(name);
    SimpleRnn.forward(array(name + ".x"), array(name + ".mask"), array(name + ".kernel"),
        array(name + ".recurrentKernel"), array(name + ".bias"), settings[0], settings[1], g.out);
    SimpleRnn.backward(array(name + ".x"), array(name + ".mask"), array(name + ".kernel"),
        array(name + ".recurrentKernel"), array(name + ".bias"), settings[0], settings[1],
        array(name + ".r"), g.kernel, g.recurrentKernel, g.bias, g.x);
    g.check(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"attentionKeyPadding", "attentionSelfPadded", "attentionCausalKeyMask"})
  void attentionAgreesWithTorch(String name) {
    if (name.equals("attentionKeyPadding")) {
      assertEquals(1.0, fixtures.get(name + ".torchModuleAgrees")[0], "torch's own module checked");
    }
    double[] s = fixtures.get(name + ".settings");
    MultiHeadAttention.Settings settings =
        new MultiHeadAttention.Settings((int) s[0], (int) s[1], (int) s[2], s[3] == 1, 0);
    INDArray query = array(name + ".query");
    boolean self = !fixtures.containsKey(name + ".value");
    INDArray value = self ? query : array(name + ".value");
    boolean ownKey = fixtures.containsKey(name + ".key");
    INDArray key = ownKey ? array(name + ".key") : value;
    MultiHeadAttention.Parameters params = new MultiHeadAttention.Parameters(
        array(name + ".queryKernel"), array(name + ".queryBias"), array(name + ".keyKernel"),
        array(name + ".keyBias"), array(name + ".valueKernel"), array(name + ".valueBias"),
        array(name + ".outputKernel"), array(name + ".outputBias"));
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
    MultiHeadAttention.forward(query, value, key, optional(name + ".queryMask"),
        optional(name + ".valueMask"), optional(name + ".keyMask"), params, settings, false, null,
        trace, out);
    assertClose(name + ".out", out, name);
    assertClose(name + ".scores", trace.scores(), name);

    MultiHeadAttention.Parameters grads = new MultiHeadAttention.Parameters(
        LayerChecks.nansLike(params.queryKernel()), LayerChecks.nansLike(params.queryBias()),
        LayerChecks.nansLike(params.keyKernel()), LayerChecks.nansLike(params.keyBias()),
        LayerChecks.nansLike(params.valueKernel()), LayerChecks.nansLike(params.valueBias()),
        LayerChecks.nansLike(params.outputKernel()), LayerChecks.nansLike(params.outputBias()));
    INDArray dQuery = LayerChecks.nansLike(query);
    INDArray dValue = self ? dQuery : LayerChecks.nansLike(value);
    INDArray dKey = ownKey ? LayerChecks.nansLike(key) : dValue;
    MultiHeadAttention.backward(query, value, key, optional(name + ".queryMask"),
        optional(name + ".valueMask"), optional(name + ".keyMask"), params, settings, trace, r,
        grads, dQuery, dValue, dKey);
    assertClose(name + ".d.query", dQuery, name);
    if (!self) {
      assertClose(name + ".d.value", dValue, name);
    }
    if (ownKey) {
      assertClose(name + ".d.key", dKey, name);
    }
    assertClose(name + ".d.queryKernel", grads.queryKernel(), name);
    assertClose(name + ".d.keyKernel", grads.keyKernel(), name);
    assertClose(name + ".d.valueKernel", grads.valueKernel(), name);
    assertClose(name + ".d.outputKernel", grads.outputKernel(), name);
    assertClose(name + ".d.queryBias", grads.queryBias(), name);
    assertClose(name + ".d.keyBias", grads.keyBias(), name);
    assertClose(name + ".d.valueBias", grads.valueBias(), name);
    assertClose(name + ".d.outputBias", grads.outputBias(), name);
  }

  /** The fixture {@code name}, or null when the case has none. */
  private static INDArray optional(String name) {
    return fixtures.containsKey(name) ? array(name) : null;
  }

  /** returnSequences, reverse; and, for a forward case, that torch's own layer was checked. */
  private static boolean[] settings(String name) {
    double[] s = fixtures.get(name + ".settings");
    if (s[1] == 0) {
      assertEquals(1.0, fixtures.get(name + ".torchModuleAgrees")[0], "torch's own layer checked");
    }
    return new boolean[] {s[0] == 1, s[1] == 1};
  }

  /** The arrays a case writes, NaN until written. */
  private static final class Gradients {
    final String name;
    final INDArray out;
    final INDArray x;
    final INDArray kernel;
    final INDArray recurrentKernel;
    final INDArray bias;

    Gradients(String name) {
      this.name = name;
      out = LayerChecks.nansLike(array(name + ".out"));
      x = LayerChecks.nansLike(array(name + ".x"));
      kernel = LayerChecks.nansLike(array(name + ".kernel"));
      recurrentKernel = LayerChecks.nansLike(array(name + ".recurrentKernel"));
      bias = LayerChecks.nansLike(array(name + ".bias"));
    }

    void check(String what) {
      assertClose(name + ".out", out, what);
      assertClose(name + ".d.x", x, what);
      assertClose(name + ".d.kernel", kernel, what);
      assertClose(name + ".d.recurrentKernel", recurrentKernel, what);
      assertClose(name + ".d.bias", bias, what);
    }
  }

  private static INDArray array(String name) {
    double[] values = fixtures.get(name);
    assertTrue(values != null, "no fixture " + name);
    long[] shape = Arrays.stream(fixtures.get(name + ".shape")).mapToLong(v -> (long) v).toArray();
    return Nd4j.createFromArray(values).reshape(shape).castTo(DataType.DOUBLE);
  }

  private static void assertClose(String name, INDArray actual, String what) {
    PlainArrays.assertAllClose(fixtures.get(name), actual, TOLERANCE, what + ": " + name);
  }
}
