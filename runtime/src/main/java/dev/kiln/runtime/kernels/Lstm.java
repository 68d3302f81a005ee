package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Keras' LSTM layer with its defaults: activation tanh, recurrent activation sigmoid, zero initial
 * state, no peepholes, no cell clipping. Over sequences {@code (n, steps, features)}:
 *
 * <pre>
 *   z = x_t . kernel + h . recurrentKernel + bias        (n, 4u), gates in the order i, f, c, o
 *   i = sigmoid(z_i)  f = sigmoid(z_f)  g = tanh(z_c)  o = sigmoid(z_o)
 *   c = f * c + i * g
 *   h = o * tanh(c)
 * </pre>
 *
 * <p>Both passes are one libnd4j op each, {@code lstmLayer} and {@code lstmLayer_bp}, whose time
 * loop, gate order (i, f, c', o in the {@code 4u} axis) and weight layouts ({@code (in, 4u)},
 * {@code (u, 4u)}, {@code (4u)}) are Keras' own. They are built by name, because ND4J's
 * {@code LSTMLayer} class takes no output arrays and {@code LSTMLayerBp} only SameDiff variables.
 * The backward op runs the forward pass again itself, so nothing is kept between the two calls;
 * both ops allocate their per-call temporaries natively. A loop over the steps in Java, as in
 * {@link Gru}, was slower on the seed models' shapes (see this branch's history).
 */
public final class Lstm {

  // lstmLayer's integer arguments: data format, direction, and the activations of the gates,
  // of the cell input and of the output, by libnd4j's activation numbers.
  private static final int FORMAT_NTS = 1; // x is (n, steps, features)
  private static final int FORWARD = 0;
  private static final int BACKWARD = 1; // reads the steps from last to first; out stays aligned with x
  private static final int TANH = 0;
  private static final int SIGMOID = 2;

  /** No cell clipping: libnd4j's cell clip value 0 means none. */
  private static final double NO_CLIP = 0.0;

  private Lstm() {}

  /**
   * An LSTM layer's parameters: views of the model's flat parameter buffer.
   *
   * @param kernel {@code (in, 4 * units)}, gates in the order i, f, c, o
   * @param recurrentKernel {@code (units, 4 * units)}
   * @param bias {@code (4 * units)}, or null for a layer without bias
   */
  public record Parameters(INDArray kernel, INDArray recurrentKernel, INDArray bias) {}

  /**
   * @param x {@code (n, steps, in)}
   * @param kernel {@code (in, 4 * units)}
   * @param recurrentKernel {@code (units, 4 * units)}
   * @param bias {@code (4 * units)}, or {@code null}
   * @param returnSequences whether {@code out} holds the state after every step or only the last
   * @param reverse read the steps from last to first (Keras' {@code go_backwards}, for
   *     Bidirectional); with {@code returnSequences}, {@code out[:, t]} is the state after reading
   *     {@code x[:, t]}, aligned with {@code x} as Bidirectional aligns its backward layer; without,
   *     {@code out} is the state after reading {@code x[:, 0]}
   * @param out written, {@code (n, steps, units)} with {@code returnSequences}, else {@code (n, units)}
   */
  public static void forward(
      INDArray x,
      INDArray kernel,
      INDArray recurrentKernel,
      INDArray bias,
      boolean returnSequences,
      boolean reverse,
      INDArray out) {
    if (recurrentKernel.size(0) == 1) {
      // See OneUnit: the op runs on two units, of which only the first is read back.
      INDArray wide = OneUnit.wide(out, 0);
      forward(x, OneUnit.kernel(kernel), OneUnit.recurrentKernel(recurrentKernel),
          bias == null ? null : OneUnit.bias(bias), returnSequences, reverse, wide);
      out.assign(OneUnit.first(wide));
      return;
    }
    // The op writes either the whole sequence of states or only the last one (h_L), whichever
    // output it is asked for; with BACKWARD, "last" is the state after x[:, 0].
    DynamicCustomOp.DynamicCustomOpsBuilder op =
        DynamicCustomOp.builder("lstmLayer")
            .addInputs(bias == null
                ? new INDArray[] {x, kernel, recurrentKernel}
                : new INDArray[] {x, kernel, recurrentKernel, bias})
            .addOutputs(out);
    // libnd4j's oneDNN lstmLayer fails on every float32 call in 1.0.0-M2.1: see OneDnn.
    OneDnn.exec(configure(op, bias != null, returnSequences, reverse).build(), true);
  }

  /**
   * Given {@code dOut}, the loss gradient with respect to {@code out}, writes the gradients of the
   * parameters and of the input. {@code dOut} is left as it is.
   *
   * @param dOut shaped like the forward {@code out}
   * @param dKernel written, {@code (in, 4 * units)}
   * @param dRecurrentKernel written, {@code (units, 4 * units)}
   * @param dBias written, {@code (4 * units)}; ignored when {@code bias} is {@code null}
   * @param dx written, {@code (n, steps, in)}, or {@code null} when no layer needs it
   */
  public static void backward(
      INDArray x,
      INDArray kernel,
      INDArray recurrentKernel,
      INDArray bias,
      boolean returnSequences,
      boolean reverse,
      INDArray dOut,
      INDArray dKernel,
      INDArray dRecurrentKernel,
      INDArray dBias,
      INDArray dx) {
    if (recurrentKernel.size(0) == 1) {
      // See OneUnit: the extra unit's output gradient is 0, and its gradients are dropped.
      INDArray wideDOut = OneUnit.wide(dOut, 1);
      OneUnit.first(wideDOut).assign(dOut);
      INDArray wideKernel = OneUnit.kernel(kernel);
      INDArray wideRecurrent = OneUnit.recurrentKernel(recurrentKernel);
      INDArray wideBias = bias == null ? null : OneUnit.bias(bias);
      INDArray dWideKernel = OneUnit.like(wideKernel, 2);
      INDArray dWideRecurrent = OneUnit.like(wideRecurrent, 3);
      INDArray dWideBias = bias == null ? null : OneUnit.like(wideBias, 4);
      backward(x, wideKernel, wideRecurrent, wideBias, returnSequences, reverse, wideDOut,
          dWideKernel, dWideRecurrent, dWideBias, dx);
      if (dKernel != null) {
        dKernel.assign(OneUnit.firstOfGates(dWideKernel));
      }
      if (dRecurrentKernel != null) {
        INDArray firstUnit = OneUnit.firstOfGates(dWideRecurrent);
        dRecurrentKernel.assign(firstUnit.get(NDArrayIndex.interval(0, 1), NDArrayIndex.all()));
      }
      if (bias != null && dBias != null) {
        dBias.assign(OneUnit.firstOfGates(dWideBias));
      }
      return;
    }
    // dOut goes in as dL/dh (every step) or as dL/dh_L (last step only), matching the forward
    // output; the op zeroes its parameter gradients before accumulating over the steps, and
    // always writes dx, so a missing dx goes to a scratch array.
    INDArray dxOrScratch = Scratch.orScratch(dx, x);
    INDArray dKernelOrScratch = Scratch.orScratch(dKernel, kernel);
    INDArray dRecurrentOrScratch = Scratch.orScratch(dRecurrentKernel, recurrentKernel);
    DynamicCustomOp.DynamicCustomOpsBuilder op =
        DynamicCustomOp.builder("lstmLayer_bp")
            .addInputs(bias == null
                ? new INDArray[] {x, kernel, recurrentKernel, dOut}
                : new INDArray[] {x, kernel, recurrentKernel, bias, dOut})
            .addOutputs(bias == null
                ? new INDArray[] {dxOrScratch, dKernelOrScratch, dRecurrentOrScratch}
                : new INDArray[] {
                    dxOrScratch, dKernelOrScratch, dRecurrentOrScratch, Scratch.orScratch(dBias, bias)
                  });
    OneDnn.exec(configure(op, bias != null, returnSequences, reverse).build(), true);
  }

  /**
   * libnd4j's lstmLayer and lstmLayer_bp (1.0.0-M2.1) fail for a layer of one unit ("MmulHelper::
   * mmulMxM: B array has wrong number of rows") and leave the native heap corrupted, so that the
   * JVM aborts soon after. A layer of one unit runs as a layer of two whose second unit has zero
   * weights and bias: all its gates see 0, so its cell state and output stay exactly 0 at every
   * step, and as its weights are 0 it adds nothing to the first unit's gates or to dx. The wide
   * arrays are scratch arrays of their own slots: no allocation after the first call.
   */
  private static final class OneUnit {

    /** Scratch slots of the wide arrays, apart from those other kernels use. */
    private static final int SLOT = 40;

    /** A zeroed scratch array like {@code narrow} with its last axis twice as long. */
    static INDArray wide(INDArray narrow, int slot) {
      long[] shape = narrow.shape().clone();
      shape[shape.length - 1] *= 2;
      INDArray wide = Scratch.of(narrow.dataType(), SLOT + slot, shape);
      wide.assign(0);
      return wide;
    }

    /** A scratch array shaped like {@code wide}, for its gradient; contents undefined. */
    static INDArray like(INDArray wide, int slot) {
      return Scratch.of(wide.dataType(), SLOT + slot, wide.shape());
    }

    /** The first unit's part of a wide {@code out} or {@code dOut} (units last). */
    static INDArray first(INDArray wide) {
      return Views.range(wide, wide.rank() - 1, 0, 1);
    }

    /**
     * The first unit's columns of a wide parameter or its gradient, whose last axis holds the
     * four gates two units apiece: columns 0, 2, 4, 6.
     */
    static INDArray firstOfGates(INDArray wide) {
      long[] gates = new long[wide.rank() + 1];
      System.arraycopy(wide.shape(), 0, gates, 0, wide.rank() - 1);
      gates[wide.rank() - 1] = 4;
      gates[wide.rank()] = 2;
      INDArray split = Views.reshaped(wide, gates);
      INDArrayIndex[] firstUnit = new INDArrayIndex[gates.length];
      java.util.Arrays.fill(firstUnit, NDArrayIndex.all());
      firstUnit[gates.length - 1] = NDArrayIndex.point(0);
      return split.get(firstUnit);
    }

    /** {@code (in, 4)} to {@code (in, 8)}. */
    static INDArray kernel(INDArray kernel) {
      INDArray wide = wide(kernel, 5);
      firstOfGates(wide).assign(kernel);
      return wide;
    }

    /** {@code (1, 4)} to {@code (2, 8)}: the second unit's row is 0 as well. */
    static INDArray recurrentKernel(INDArray recurrentKernel) {
      INDArray wide = Scratch.of(recurrentKernel.dataType(), SLOT + 6, 2, 8);
      wide.assign(0);
      firstOfGates(wide).get(NDArrayIndex.interval(0, 1), NDArrayIndex.all())
          .assign(recurrentKernel);
      return wide;
    }

    /** {@code (4)} to {@code (8)}. */
    static INDArray bias(INDArray bias) {
      INDArray wide = wide(bias, 7);
      firstOfGates(wide).assign(bias);
      return wide;
    }
  }

  private static DynamicCustomOp.DynamicCustomOpsBuilder configure(
      DynamicCustomOp.DynamicCustomOpsBuilder op,
      boolean hasBias,
      boolean returnSequences,
      boolean reverse) {
    return op.addIntegerArguments(FORMAT_NTS, reverse ? BACKWARD : FORWARD, SIGMOID, TANH, TANH)
        .addFloatingPointArguments(NO_CLIP)
        .addBooleanArguments(
            hasBias,
            false, // no sequence lengths
            false, // no initial output: zeros
            false, // no initial cell state: zeros
            false, // no peepholes
            returnSequences, // full sequence of h (or its gradient)
            !returnSequences, // last h only (or its gradient)
            false); // no last cell state
  }
}
