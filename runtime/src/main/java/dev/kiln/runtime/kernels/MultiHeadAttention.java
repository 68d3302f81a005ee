package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

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
 * <p>The products over heads are batched GEMMs on head-major arrays; the forward pass keeps Q, K,
 * V, P and C in the layer's own {@link Trace}, which the backward pass reads.
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
   * What the forward pass keeps for the backward pass: the layer's own buffers.
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
    forward(query, value, key, null, null, null, p, s, training, random, trace, out);
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
    Heads.project(query, p.queryKernel(), p.queryBias(), s.scale(), trace.queries());
    Heads.project(key, p.keyKernel(), p.keyBias(), 1, trace.keys());
    Heads.project(value, p.valueKernel(), p.valueBias(), 1, trace.values());
    Heads.multiply(trace.queries(), trace.keys(), trace.scores(), false, true);
    AttentionSoftmax.forward(trace.scores(), s.causal(), queryMask, valueMask, keyMask);
    INDArray weights = trace.scores();
    if (training && s.dropout() > 0) {
      Dropout.forward(trace.scores(), s.dropout(), true, random, trace.dropoutMask(),
          trace.dropped());
      weights = trace.dropped();
    }
    INDArray headContext = work("headContext", trace.values(), trace.queries().size(2),
        s.valueDim());
    Heads.multiply(weights, trace.values(), headContext, false, false);
    Heads.merge(headContext, trace.context());
    Heads.dense(trace.context(), Heads.outputMatrix(p.outputKernel()), p.outputBias(), out);
  }

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
    INDArray dOutRows = Rows.ofLastAxis(dOut);
    Nd4j.gemm(Rows.ofLastAxis(trace.context()), dOutRows, Heads.outputMatrix(grads.outputKernel()),
        true, false, 1.0, 0.0);
    if (grads.outputBias() != null) {
      dOutRows.sum(grads.outputBias(), 0);
    }
    INDArray dContext = work("dContext", trace.context(), dOut.size(1), s.heads() * s.valueDim());
    Nd4j.gemm(dOutRows, Heads.outputMatrix(p.outputKernel()), Rows.ofLastAxis(dContext), false,
        true, 1.0, 0.0);
    INDArray dHeadContext = work("dHeadContext", trace.values(), trace.queries().size(2),
        s.valueDim());
    Heads.split(dContext, dHeadContext);

    boolean dropped = s.dropout() > 0;
    INDArray weights = dropped ? trace.dropped() : trace.scores();
    INDArray dValues = work("dValues", trace.values(), trace.values().size(2), s.valueDim());
    Heads.multiply(weights, dHeadContext, dValues, true, false);
    INDArray dScores = work("dScores", trace.scores(), trace.scores().size(2),
        trace.scores().size(3));
    Heads.multiply(dHeadContext, trace.values(), dScores, false, true);
    if (dropped) {
      Dropout.backward(dScores, s.dropout(), trace.dropoutMask(), dScores);
    }
    AttentionSoftmax.backward(trace.scores(), dScores, s.causal(), queryMask, valueMask, keyMask);

    INDArray dQueries = work("dQueries", trace.queries(), trace.queries().size(2), s.keyDim());
    Heads.multiply(dScores, trace.keys(), dQueries, false, false);
    INDArray dKeys = work("dKeys", trace.keys(), trace.keys().size(2), s.keyDim());
    Heads.multiply(dScores, trace.queries(), dKeys, true, false);

    // Each input's gradient: the first writer assigns, a later one for the same array adds.
    Heads.projectBackward(value, p.valueKernel(), dValues, 1, grads.valueKernel(),
        grads.valueBias(), dValue, false);
    Heads.projectBackward(key, p.keyKernel(), dKeys, 1, grads.keyKernel(), grads.keyBias(), dKey,
        dKey != null && dKey == dValue);
    Heads.projectBackward(query, p.queryKernel(), dQueries, s.scale(), grads.queryKernel(),
        grads.queryBias(), dQuery, dQuery != null && (dQuery == dValue || dQuery == dKey));
  }

  /** A work array of {@code (n, heads, steps, size)} shaped after {@code like}'s first axes. */
  private static INDArray work(String name, INDArray like, long steps, long size) {
    if (like.rank() == 3) {
      return WorkArrays.get(MultiHeadAttention.class, name, like.dataType(), like.size(0), steps,
          size);
    }
    return WorkArrays.get(MultiHeadAttention.class, name, like.dataType(), like.size(0),
        like.size(1), steps, size);
  }
}
