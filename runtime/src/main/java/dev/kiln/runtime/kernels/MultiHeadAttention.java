package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import dev.kiln.runtime.SecondThread;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;

/**
 * Keras' {@code MultiHeadAttention} over the steps axis of sequences, with Keras' weight layout:
 *
 * <pre>
 *   Q = (query . queryKernel + queryBias) / sqrt(keyDim)    (n, heads, Tq, keyDim)
 *   K =  key   . keyKernel   + keyBias                       (n, heads, Tv, keyDim)
 *   V =  value . valueKernel + valueBias                     (n, heads, Tv, valueDim)
 *   P = softmax(Q . K^T), 0 above the diagonal with a causal mask     (n, heads, Tq, Tv)
 *   C = dropout(P) . V, heads merged                         (n, Tq, heads * valueDim)
 *   out = C . outputKernel + outputBias                      (n, Tq, outputDim)
 * </pre>
 *
 * <p>The products over heads are batched GEMMs on head-major arrays, each bound once to its
 * arrays ({@link Matmul}); the forward pass keeps Q, K, V, P and C in the layer's own {@link
 * Trace}, which the backward pass reads, and both passes work in per-thread arrays of {@link
 * AttentionWork}, so that a steady step creates no array and no view.
 */
public final class MultiHeadAttention {

  private MultiHeadAttention() {}

  /**
   * A MultiHeadAttention layer's parameters, in Keras' layout: views of the model's flat
   * parameter buffer. A bias is null for a layer with {@code useBias = false}.
   *
   * @param queryKernel {@code (queryDim, heads, keyDim)}
   * @param queryBias {@code (heads, keyDim)}
   * @param keyKernel {@code (keyInputDim, heads, keyDim)}
   * @param keyBias {@code (heads, keyDim)}
   * @param valueKernel {@code (valueInputDim, heads, valueDim)}
   * @param valueBias {@code (heads, valueDim)}
   * @param outputKernel {@code (heads, valueDim, outputDim)}
   * @param outputBias {@code (outputDim)}
   */
  public record Parameters(
      INDArray queryKernel,
      INDArray queryBias,
      INDArray keyKernel,
      INDArray keyBias,
      INDArray valueKernel,
      INDArray valueBias,
      INDArray outputKernel,
      INDArray outputBias) {}

  /**
   * The attributes of a layer.
   *
   * @param heads the number of heads
   * @param keyDim the size of each head's queries and keys
   * @param valueDim the size of each head's values
   * @param causal whether step {@code i} of the query attends only to steps {@code j <= i}
   * @param dropout the share of attention probabilities dropped in training, in {@code [0, 1)}
   */
  public record Settings(int heads, int keyDim, int valueDim, boolean causal, double dropout) {

    public Settings {
      if (heads < 1 || keyDim < 1 || valueDim < 1) {
        throw new IllegalArgumentException("MultiHeadAttention needs positive heads, keyDim and"
            + " valueDim, got " + heads + ", " + keyDim + ", " + valueDim);
      }
      if (!(dropout >= 0 && dropout < 1)) {
        throw new IllegalArgumentException(
            "MultiHeadAttention dropout must be in [0, 1), got " + dropout);
      }
    }

    /** Keras' scaling of the queries, {@code 1 / sqrt(keyDim)}. */
    double scale() {
      return 1 / Math.sqrt(keyDim);
    }
  }

  /**
   * What the forward pass keeps for the backward pass: the layer's own buffers. A training pass
   * writes them all; a prediction of self-attention in lanes reads its heads straight from the
   * one projection and leaves the queries, keys and values as they were.
   *
   * @param queries the scaled queries, {@code (n, heads, Tq, keyDim)}
   * @param keys {@code (n, heads, Tv, keyDim)}
   * @param values {@code (n, heads, Tv, valueDim)}
   * @param scores the attention probabilities (Keras' attention scores), {@code (n, heads, Tq,
   *     Tv)}
   * @param dropoutMask 1 for a kept probability, 0 for a dropped one, shaped like {@code scores};
   *     null without dropout
   * @param dropped the probabilities after dropout, shaped like {@code scores}; null without
   *     dropout
   * @param context the heads' results side by side, {@code (n, Tq, heads * valueDim)}
   */
  public record Trace(
      INDArray queries,
      INDArray keys,
      INDArray values,
      INDArray scores,
      INDArray dropoutMask,
      INDArray dropped,
      INDArray context) {}

  /**
   * @param query {@code (n, Tq, queryDim)}
   * @param value {@code (n, Tv, valueInputDim)}
   * @param key {@code (n, Tv, keyInputDim)}; Keras' default is {@code value} itself
   * @param training whether dropout applies
   * @param random the generator dropout masks are drawn from
   * @param trace written
   * @param out written, {@code (n, Tq, outputDim)}
   */
  public static void forward(INDArray query, INDArray value, INDArray key, Parameters p,
      Settings s, boolean training, Random random, Trace trace, INDArray out) {
    forward(query, value, key, null, null, null, p, s, training, true, random, trace, out);
  }

  /**
   * {@link #forward(INDArray, INDArray, INDArray, Parameters, Settings, boolean, Random, Trace,
   * INDArray)}, where {@code scoresRead} false says that nothing reads the probabilities after
   * this pass (a prediction, not a training pass nor {@code activations(...)}): the core in
   * lanes then leaves {@code trace.scores()} as it was, a write of {@code n * heads * Tq * Tv}
   * floats saved.
   */
  public static void forward(INDArray query, INDArray value, INDArray key, Parameters p,
      Settings s, boolean training, boolean scoresRead, Random random, Trace trace,
      INDArray out) {
    forward(query, value, key, null, null, null, p, s, training, training || scoresRead, random,
        trace, out);
  }

  /**
   * The forward pass with Keras' attention mask: query step {@code i} attends to value step
   * {@code j} where {@code queryMask[i]}, {@code valueMask[j]} and {@code keyMask[j]} all count
   * (and, with the causal mask, {@code j <= i}); a query step that sees none attends to all
   * alike, as Keras in float32. See {@link AttentionSoftmax#forward(INDArray, boolean, INDArray,
   * INDArray, INDArray)}.
   *
   * @param queryMask {@code (n, Tq)}, 0 for a masked step; or null
   * @param valueMask {@code (n, Tv)}; or null
   * @param keyMask {@code (n, Tv)}; or null
   */
  public static void forward(INDArray query, INDArray value, INDArray key, INDArray queryMask,
      INDArray valueMask, INDArray keyMask, Parameters p, Settings s, boolean training,
      Random random, Trace trace, INDArray out) {
    forward(query, value, key, queryMask, valueMask, keyMask, p, s, training, true, random, trace,
        out);
  }

  private static void forward(INDArray query, INDArray value, INDArray key, INDArray queryMask,
      INDArray valueMask, INDArray keyMask, Parameters p, Settings s, boolean training,
      boolean scoresRead, Random random, Trace trace, INDArray out) {
    AttentionWork w = AttentionWork.of(trace, s, query.size(2));
    boolean masked = queryMask != null || valueMask != null || keyMask != null;
    boolean dropped = training && s.dropout() > 0;
    boolean lanes = !masked && !dropped && !s.causal() && AttentionInLanes.inLanes(trace, w);
    boolean joint = Heads.joint(query, value, key, p, w);
    if (joint && lanes && AttentionInLanes.jointInLanes(p, w)) {
      // The core reads the heads straight from the one projection; training keeps them too.
      Heads.productJoint(query, p, w);
      AttentionInLanes.attendToProjection(trace, s, p, w, training, scoresRead);
    } else {
      if (joint) {
        Heads.projectJoint(query, p, s.scale(), w, trace.queries(), trace.keys(),
            trace.values());
      } else {
        Heads.project(query, p.queryKernel(), p.queryBias(), s.scale(), w.queryProjection,
            trace.queries());
        Heads.project(key, p.keyKernel(), p.keyBias(), 1, w.keyProjection, trace.keys());
        Heads.project(value, p.valueKernel(), p.valueBias(), 1, w.valueProjection,
            trace.values());
      }
      if (lanes) {
        AttentionInLanes.attendToHeads(trace, s, scoresRead);
      } else {
        Heads.multiply(trace.queries(), trace.keys(), trace.scores(), false, true);
        AttentionSoftmax.forward(trace.scores(), s.causal(), queryMask, valueMask, keyMask);
        INDArray weights = trace.scores();
        if (dropped) {
          Dropout.forward(trace.scores(), s.dropout(), true, random, trace.dropoutMask(),
              trace.dropped());
          weights = trace.dropped();
        }
        Heads.multiply(weights, trace.values(), w.headContext, false, false);
        Heads.merge(w.headContext, 1, trace.context());
      }
    }
    Heads.dense(trace.context(), Heads.outputMatrix(p.outputKernel()), p.outputBias(), out);
  }

  /** The smallest number of scores attended to on two threads ({@link SecondThread}). */
  static final long TWO_THREADS = 1 << 16;

  /**
   * Writes the gradients of every parameter and of the inputs asked for. Inputs that are one
   * array (self-attention passes the same tensor as query, value and key) may share one gradient
   * array: it receives the sum.
   *
   * <p>It follows a training forward pass: with dropout, that pass's mask applies.
   *
   * @param dOut {@code (n, Tq, outputDim)}
   * @param grads written, shaped like the parameters; a bias gradient is null without bias
   * @param dQuery written, shaped like {@code query}, or null when no layer needs it
   * @param dValue written, shaped like {@code value}, or null
   * @param dKey written, shaped like {@code key}, or null
   */
  public static void backward(INDArray query, INDArray value, INDArray key, Parameters p,
      Settings s, Trace trace, INDArray dOut, Parameters grads,
      INDArray dQuery, INDArray dValue, INDArray dKey) {
    backward(query, value, key, null, null, null, p, s, trace, dOut, grads, dQuery, dValue, dKey);
  }

  /**
   * The backward pass of a masked forward pass, given the same masks: a query step that sees
   * no value step has uniform probabilities, which pass its scores no gradient.
   */
  public static void backward(INDArray query, INDArray value, INDArray key, INDArray queryMask,
      INDArray valueMask, INDArray keyMask, Parameters p, Settings s, Trace trace, INDArray dOut,
      Parameters grads, INDArray dQuery, INDArray dValue, INDArray dKey) {
    AttentionWork w = AttentionWork.of(trace, s, query.size(2));
    Matmul.rows(trace.context(), dOut, Heads.outputMatrix(grads.outputKernel()), true, false);
    if (grads.outputBias() != null) {
      if (dOut.dataType() == DataType.FLOAT && Elements.accepts(dOut)
          && Elements.accepts(grads.outputBias())) {
        JavaLoops.sumRows(dOut, grads.outputBias()); // a float pass: the product took 1.3 ms
      } else {
        ColumnSums.of(dOut, grads.outputBias());
      }
    }
    Matmul.rows(dOut, Heads.outputMatrix(p.outputKernel()), w.dContext, false, true);

    boolean dropped = s.dropout() > 0;
    boolean masked = queryMask != null || valueMask != null || keyMask != null;
    boolean joint = Heads.joint(query, value, key, p, w) && dQuery == dValue && dValue == dKey
        && Elements.accepts(grads.queryKernel()) && Elements.accepts(grads.keyKernel())
        && Elements.accepts(grads.valueKernel());
    if (!dropped && !masked && AttentionInLanes.gradientsInLanes(trace, s, w, joint, grads)) {
      if (joint) {
        Heads.jointKernelBackward(query, p, w, grads, dQuery);
        return;
      }
    } else {
      Heads.split(w.dContext, null, 1, w.dHeadContext);
      INDArray weights = dropped ? trace.dropped() : trace.scores();
      Heads.multiply(weights, w.dHeadContext, w.dValues, true, false);
      if (dropped || masked || !AttentionInLanes.scoresGradientInLanes(trace, s, w)) {
        Heads.multiply(w.dHeadContext, trace.values(), w.dScores, false, true);
        if (dropped) {
          Dropout.backward(w.dScores, s.dropout(), trace.dropoutMask(), w.dScores);
        }
        AttentionSoftmax.backward(trace.scores(), w.dScores, s.causal(), queryMask, valueMask,
            keyMask);
      }
      Heads.multiply(w.dScores, trace.keys(), w.dQueries, false, false);
      Heads.multiply(w.dScores, trace.queries(), w.dKeys, true, false);
      if (joint) {
        Heads.projectJointBackward(query, p, s.scale(), w, w.dQueries, w.dKeys, w.dValues, grads,
            dQuery);
        return;
      }
    }
    // Each input's gradient: the first writer assigns, a later one for the same array adds.
    Heads.projectBackward(value, p.valueKernel(), w.dValues, 1, w.valueProjection,
        grads.valueKernel(), grads.valueBias(), dValue, false);
    Heads.projectBackward(key, p.keyKernel(), w.dKeys, 1, w.keyProjection, grads.keyKernel(),
        grads.keyBias(), dKey, dKey != null && dKey == dValue);
    Heads.projectBackward(query, p.queryKernel(), w.dQueries, s.scale(), w.queryProjection,
        grads.queryKernel(), grads.queryBias(), dQuery,
        dQuery != null && (dQuery == dValue || dQuery == dKey));
  }
}
