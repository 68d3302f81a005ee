package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.RecurrentChecks.BATCH;
import static dev.kiln.runtime.kernels.RecurrentChecks.FLOAT32_TOLERANCE;
import static dev.kiln.runtime.kernels.RecurrentChecks.FLOAT64_TOLERANCE;
import static dev.kiln.runtime.kernels.RecurrentChecks.IN;

import dev.kiln.runtime.kernels.RecurrentChecks.Layer;
import dev.kiln.runtime.kernels.RecurrentChecks.Reference;
import dev.kiln.runtime.kernels.RecurrentChecks.Variant;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * LSTM, GRU and SimpleRNN given a mask, with Keras' carry semantics ({@code
 * zero_output_for_mask=False}): the reference runs the unmasked layer's own reference on each
 * sample's unmasked steps alone, then fills each masked step of an output sequence with the
 * output before it in reading order (zeros before the first). Gradients against finite
 * differences: a masked step's input gets none.
 */
class MaskedRecurrentTest {

  private static final Map<String, INDArray> MASKS = new HashMap<>();

  /**
   * Sample 0 reads every step; sample 1 has its last two steps masked (with one step, all of
   * them); sample 2 has its odd steps masked.
   */
  static double[][] mask(int steps) {
    double[][] mask = new double[BATCH][steps];
    for (int t = 0; t < steps; t++) {
      mask[0][t] = 1;
      mask[1][t] = t >= steps - 2 ? 0 : 1;
      mask[2][t] = t % 2 == 1 ? 0 : 1;
    }
    return mask;
  }

  private static INDArray maskFor(INDArray x) {
    return MASKS.computeIfAbsent(x.dataType() + "/" + x.size(1),
        key -> Nd4j.createFromArray(mask((int) x.size(1))).castTo(x.dataType()));
  }

  /** The layer's masked kernels behind the checks' unmasked signature, with {@link #mask}. */
  private static Layer masked(Layer plain, MaskedForward forward, MaskedBackward backward) {
    return new Layer(
        (x, kernel, recurrentKernel, bias, returnSequences, reverse, out) -> forward.run(x,
            maskFor(x), kernel, recurrentKernel, bias, returnSequences, reverse, out),
        (x, kernel, recurrentKernel, bias, returnSequences, reverse, dOut, dKernel,
            dRecurrentKernel, dBias, dx) -> backward.run(x, maskFor(x), kernel, recurrentKernel,
            bias, returnSequences, reverse, dOut, dKernel, dRecurrentKernel, dBias, dx),
        maskedReference(plain.reference()), plain.gates(), plain.biasShape());
  }

  interface MaskedForward {
    void run(INDArray x, INDArray mask, INDArray kernel, INDArray recurrentKernel, INDArray bias,
        boolean returnSequences, boolean reverse, INDArray out);
  }

  interface MaskedBackward {
    void run(INDArray x, INDArray mask, INDArray kernel, INDArray recurrentKernel, INDArray bias,
        boolean returnSequences, boolean reverse, INDArray dOut, INDArray dKernel,
        INDArray dRecurrentKernel, INDArray dBias, INDArray dx);
  }

  static final Layer LSTM = masked(LstmTest.LSTM,
      (x, mask, kernel, recurrentKernel, bias, returnSequences, reverse, out) -> Lstm.forward(x,
          mask, kernel, recurrentKernel, bias, returnSequences, reverse, out, null),
      (x, mask, kernel, recurrentKernel, bias, returnSequences, reverse, dOut, dKernel,
          dRecurrentKernel, dBias, dx) -> Lstm.backward(x, mask, kernel, recurrentKernel, bias,
          returnSequences, reverse, dOut, dKernel, dRecurrentKernel, dBias, dx, null));

  /** The LSTM as a training step runs it: the forward pass keeps a trace the backward reads. */
  static final Layer TRACED_LSTM = masked(LstmTest.LSTM,
      (x, mask, kernel, recurrentKernel, bias, returnSequences, reverse, out) -> Lstm.forward(x,
          mask, kernel, recurrentKernel, bias, returnSequences, reverse, out, trace(x,
              recurrentKernel)),
      (x, mask, kernel, recurrentKernel, bias, returnSequences, reverse, dOut, dKernel,
          dRecurrentKernel, dBias, dx) -> {
        INDArray trace = trace(x, recurrentKernel);
        Lstm.forward(x, mask, kernel, recurrentKernel, bias, returnSequences, reverse,
            Scratch.of(dOut.dataType(), 92, dOut.shape()), trace);
        Lstm.backward(x, mask, kernel, recurrentKernel, bias, returnSequences, reverse, dOut,
            dKernel, dRecurrentKernel, dBias, dx, trace);
      });

  static final Layer GRU = masked(GruTest.GRU, Gru::forward, Gru::backward);

  static final Layer RNN = masked(SimpleRnnTest.RNN, SimpleRnn::forward, SimpleRnn::backward);

  private static INDArray trace(INDArray x, INDArray recurrentKernel) {
    return Scratch.of(x.dataType(), 93, x.size(0), x.size(1), 7 * recurrentKernel.size(0));
  }

  /** The masked layer by its unmasked reference over each sample's unmasked steps. */
  private static Reference maskedReference(Reference plain) {
    return (x, n, steps, units, kernel, recurrentKernel, bias, returnSequences, reverse) -> {
      double[][] mask = mask(steps);
      double[] out = new double[returnSequences ? n * steps * units : n * units];
      for (int sample = 0; sample < n; sample++) {
        int[] kept = new int[steps];
        int count = 0;
        for (int t = 0; t < steps; t++) {
          if (mask[sample][t] != 0) {
            kept[count++] = t;
          }
        }
        if (count > 0) {
          double[] compact = new double[count * IN];
          for (int p = 0; p < count; p++) {
            System.arraycopy(x, (sample * steps + kept[p]) * IN, compact, p * IN, IN);
          }
          double[] run = plain.run(compact, 1, count, units, kernel, recurrentKernel, bias,
              returnSequences, reverse);
          if (!returnSequences) {
            System.arraycopy(run, 0, out, sample * units, units);
          } else {
            for (int p = 0; p < count; p++) {
              System.arraycopy(run, p * units, out, (sample * steps + kept[p]) * units, units);
            }
          }
        }
        if (returnSequences) {
          double[] last = new double[units];
          for (int k = 0; k < steps; k++) {
            int t = reverse ? steps - 1 - k : k;
            int at = (sample * steps + t) * units;
            if (mask[sample][t] == 0) {
              System.arraycopy(last, 0, out, at, units);
            } else {
              System.arraycopy(out, at, last, 0, units);
            }
          }
        }
      }
      return out;
    };
  }

  static Stream<Variant> variants() {
    return RecurrentChecks.variants();
  }

  static Stream<Layer> layers() {
    return Stream.of(LSTM, TRACED_LSTM, GRU, RNN);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void forwardCarriesStatesOverMaskedSteps(Variant variant) {
    layers().forEach(layer -> {
      RecurrentChecks.checkForward(layer, variant, DataType.DOUBLE, FLOAT64_TOLERANCE);
      RecurrentChecks.checkForward(layer, variant, DataType.FLOAT, FLOAT32_TOLERANCE);
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void gradientsMatchFiniteDifferences(Variant variant) {
    layers().forEach(layer -> RecurrentChecks.checkGradients(layer, variant));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void callsCreateNoArrays(Variant variant) {
    Stream.of(TRACED_LSTM, GRU, RNN).forEach(
        layer -> RecurrentChecks.checkNoAllocation(layer, variant, DataType.FLOAT));
  }
}
