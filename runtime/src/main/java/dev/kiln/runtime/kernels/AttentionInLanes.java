package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import dev.kiln.runtime.SecondThread;
import dev.kiln.runtime.kernels.MultiHeadAttention.Parameters;
import dev.kiln.runtime.kernels.MultiHeadAttention.Settings;
import dev.kiln.runtime.kernels.MultiHeadAttention.Trace;
import java.lang.ref.Reference;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link MultiHeadAttention}'s paths in Vector API lanes: whether each applies to a call, and the
 * layouts, work arrays and halves of the samples it runs with ({@link AttentionLanes}, {@link
 * AttentionBackwardLanes}, {@link AttentionGradientLanes}). Each path checks {@link VectorApi}
 * before it touches a lanes class.
 */
final class AttentionInLanes {

  private AttentionInLanes() {}

  /** Whether the float32 core in lanes ({@link AttentionLanes}) takes this layer's heads. */
  static boolean inLanes(Trace trace, AttentionWork w) {
    INDArray scores = trace.scores();
    return VectorApi.appliesTo(scores.dataType())
        && AttentionLanes.suits(scores.size(3), w.headContext.size(3))
        && contiguousFloats(trace.queries(), trace.keys(), trace.values(), scores,
            trace.context());
  }

  /** Whether the core in lanes can read the heads from the one projection and the biases. */
  static boolean jointInLanes(Parameters p, AttentionWork w) {
    for (INDArray bias : new INDArray[] {p.queryBias(), p.keyBias(), p.valueBias()}) {
      if (bias != null && !contiguousFloats(bias)) {
        return false;
      }
    }
    return contiguousFloats(w.jointProjection);
  }

  private static boolean contiguousFloats(INDArray... arrays) {
    for (INDArray array : arrays) {
      if (array.dataType() != DataType.FLOAT || !Elements.accepts(array)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The core of self-attention reading the heads from the one projection in {@code w}, before
   * their biases; a training pass also keeps them, biased and scaled, in the trace.
   */
  static void attendToProjection(Trace trace, Settings s,
      Parameters p, AttentionWork w, boolean training, boolean scoresRead) {
    AttentionLanes.Kept kept = training ? new AttentionLanes.Kept(new FloatLanes(trace.queries()),
        new FloatLanes(trace.keys()), new FloatLanes(trace.values())) : null;
    attendInLanes(trace, s, rawHeads(trace, s, p, w, scoresRead), kept);
  }

  /**
   * The core reading the trace's head-major queries, keys and values; with {@code scoresRead}
   * false, leaving the probabilities unwritten.
   */
  static void attendToHeads(Trace trace, Settings s, boolean scoresRead) {
    attendInLanes(trace, s, projectedHeads(trace, s, scoresRead), null);
  }

  /** The trace's head-major queries, keys and values, the context side by side. */
  private static AttentionLanes.Heads projectedHeads(Trace trace, Settings s,
      boolean scoresRead) {
    INDArray scores = trace.scores();
    int queries = (int) scores.size(2);
    return new AttentionLanes.Heads(new FloatLanes(trace.queries()),
        AttentionLanes.Layout.headMajor(s.heads(), queries, s.keyDim()),
        new FloatLanes(trace.keys()),
        AttentionLanes.Layout.headMajor(s.heads(), (int) scores.size(3), s.keyDim()),
        new FloatLanes(trace.values()),
        AttentionLanes.Layout.headMajor(s.heads(), (int) scores.size(3), s.valueDim()),
        scoresRead ? new FloatLanes(scores) : null, new FloatLanes(trace.context()),
        contextLayout(trace, s), s.heads(), queries, (int) scores.size(3), s.keyDim(),
        s.valueDim(), null, 1);
  }

  /**
   * The queries, keys and values as rows of the one projection of self-attention, before their
   * biases (read into a Java array side by side) and the queries' scaling; the context side by
   * side.
   */
  private static AttentionLanes.Heads rawHeads(Trace trace, Settings s, Parameters p,
      AttentionWork w, boolean scoresRead) {
    INDArray scores = trace.scores();
    int steps = (int) scores.size(2);
    int heads = s.heads();
    int keyWidth = heads * s.keyDim();
    int width = (int) w.jointProjection.size(2);
    float[] biases = JavaWork.floats(5, width);
    INDArray[] parts = {p.queryBias(), p.keyBias(), p.valueBias()};
    for (int part = 0, at = 0; part < parts.length; part++) {
      int length = part < 2 ? keyWidth : heads * s.valueDim();
      if (parts[part] == null) {
        java.util.Arrays.fill(biases, at, at + length, 0f);
      } else {
        ((Elements.Floats) Elements.of(parts[part])).read(0, biases, at, length);
      }
      at += length;
    }
    FloatLanes projection = new FloatLanes(w.jointProjection);
    return new AttentionLanes.Heads(projection,
        AttentionLanes.Layout.sideBySide(0, steps, width, s.keyDim()), projection,
        AttentionLanes.Layout.sideBySide(keyWidth, steps, width, s.keyDim()), projection,
        AttentionLanes.Layout.sideBySide(2 * keyWidth, steps, width, s.valueDim()),
        scoresRead ? new FloatLanes(scores) : null, new FloatLanes(trace.context()),
        contextLayout(trace, s), heads, steps, steps, s.keyDim(), s.valueDim(), biases,
        (float) s.scale());
  }

  private static AttentionLanes.Layout contextLayout(Trace trace, Settings s) {
    int width = s.heads() * s.valueDim();
    return AttentionLanes.Layout.sideBySide(0, (int) trace.context().size(1), width,
        s.valueDim());
  }

  /**
   * Scores, probabilities and context of every head in lanes, in two halves of the samples (so
   * that each thread stages whole samples, see {@link AttentionLanes#forward}).
   */
  private static void attendInLanes(Trace trace, Settings s, AttentionLanes.Heads heads,
      AttentionLanes.Kept kept) {
    INDArray scores = trace.scores();
    int count = Math.toIntExact(scores.size(0) * scores.size(1));
    int work = AttentionLanes.workLength((int) scores.size(3), s.keyDim(), s.valueDim());
    int staged = AttentionLanes.stagedLength(heads);
    if (scores.length() < MultiHeadAttention.TWO_THREADS) {
      AttentionLanes.forward(heads, 0, count, JavaWork.floats(6, work), staging(staged), kept);
    } else {
      int half = scores.size(0) > 1 ? (int) (scores.size(0) / 2) * s.heads() : count / 2;
      SecondThread.run(() -> AttentionLanes.forward(heads, half, count, JavaWork.floats(6, work),
              staging(staged), kept),
          () -> AttentionLanes.forward(heads, 0, half, JavaWork.floats(6, work),
              staging(staged), kept));
    }
    Reference.reachabilityFence(trace); // lanes do not hold their arrays
  }

  /** The calling thread's array to stage a sample's rows in, or null for none. */
  private static float[] staging(int length) {
    return length == 0 ? null : JavaWork.floats(4, length);
  }

  /**
   * The scores' gradient in lanes ({@link AttentionBackwardLanes}), in two halves of heads, where
   * the arrays suit; returns false, doing nothing, where they do not.
   */
  static boolean scoresGradientInLanes(Trace trace, Settings s, AttentionWork w) {
    INDArray scores = trace.scores();
    if (!VectorApi.appliesTo(scores.dataType())
        || !AttentionSoftmaxLanes.suits((int) scores.size(3))
        || !contiguousFloats(w.dHeadContext, trace.values(), scores, w.dScores)) {
      return false;
    }
    AttentionBackwardLanes.Heads heads = new AttentionBackwardLanes.Heads(
        new FloatLanes(w.dHeadContext), new FloatLanes(trace.values()), new FloatLanes(scores),
        new FloatLanes(w.dScores), (int) scores.size(2), (int) scores.size(3), s.valueDim());
    int count = Math.toIntExact(scores.size(0) * scores.size(1));
    int work = AttentionBackwardLanes.workLength((int) scores.size(3), s.valueDim());
    if (scores.length() < MultiHeadAttention.TWO_THREADS) {
      AttentionBackwardLanes.scoresGradient(heads, 0, count, JavaWork.floats(6, work));
    } else {
      int half = count / 2;
      SecondThread.run(
          () -> AttentionBackwardLanes.scoresGradient(heads, half, count, JavaWork.floats(6, work)),
          () -> AttentionBackwardLanes.scoresGradient(heads, 0, half, JavaWork.floats(6, work)));
    }
    Reference.reachabilityFence(trace); // lanes do not hold their arrays
    return true;
  }

  /** Whether the backward pass's core may run in {@link AttentionGradientLanes}; tests compare. */
  static volatile boolean gradientLanesAllowed = true;

  /**
   * The gradients of the queries, keys and values in lanes ({@link AttentionGradientLanes}), in
   * two halves of the samples, where the arrays suit; returns false, doing nothing, where they do
   * not. With {@code joint}, they are written side by side into the one projection's gradient, the
   * queries' scaled, and their column sums into the biases' gradients; else head-major into the
   * work arrays, for {@link Heads#projectBackward}.
   */
  static boolean gradientsInLanes(Trace trace, Settings s, AttentionWork w,
      boolean joint, Parameters grads) {
    INDArray scores = trace.scores();
    int queries = (int) scores.size(2);
    int keys = (int) scores.size(3);
    if (!gradientLanesAllowed || !VectorApi.appliesTo(scores.dataType())
        || !AttentionGradientLanes.suits(keys, s.keyDim(), s.valueDim())
        || !contiguousFloats(trace.queries(), trace.keys(), trace.values(), scores, w.dContext)
        || !(joint ? contiguousFloats(w.jointProjection)
            : contiguousFloats(w.dQueries, w.dKeys, w.dValues))) {
      return false;
    }
    int heads = s.heads();
    int keyDim = s.keyDim();
    int valueDim = s.valueDim();
    AttentionLanes.Layout queryLayout = AttentionLanes.Layout.headMajor(heads, queries, keyDim);
    AttentionLanes.Layout keyLayout = AttentionLanes.Layout.headMajor(heads, keys, keyDim);
    AttentionLanes.Layout valueLayout = AttentionLanes.Layout.headMajor(heads, keys, valueDim);
    AttentionLanes.Layout dContextLayout =
        AttentionLanes.Layout.sideBySide(0, queries, heads * valueDim, valueDim);
    AttentionGradientLanes.Heads h;
    if (joint) {
      FloatLanes projection = new FloatLanes(w.jointProjection);
      int width = (int) w.jointProjection.size(2);
      int keyWidth = heads * keyDim;
      h = new AttentionGradientLanes.Heads(new FloatLanes(trace.queries()), queryLayout,
          new FloatLanes(trace.keys()), keyLayout, new FloatLanes(trace.values()), valueLayout,
          new FloatLanes(scores), new FloatLanes(w.dContext), dContextLayout, projection,
          AttentionLanes.Layout.sideBySide(0, queries, width, keyDim), (float) s.scale(),
          projection, AttentionLanes.Layout.sideBySide(keyWidth, keys, width, keyDim),
          projection, AttentionLanes.Layout.sideBySide(2 * keyWidth, keys, width, valueDim),
          heads, queries, keys, keyDim, valueDim);
    } else {
      h = new AttentionGradientLanes.Heads(new FloatLanes(trace.queries()), queryLayout,
          new FloatLanes(trace.keys()), keyLayout, new FloatLanes(trace.values()), valueLayout,
          new FloatLanes(scores), new FloatLanes(w.dContext), dContextLayout,
          new FloatLanes(w.dQueries), queryLayout, 1, new FloatLanes(w.dKeys), keyLayout,
          new FloatLanes(w.dValues), valueLayout, heads, queries, keys, keyDim, valueDim);
    }
    double[] sums = joint ? w.jointBiasSums[0] : null;
    double[] helperSums = joint ? w.jointBiasSums[1] : null;
    if (joint) {
      java.util.Arrays.fill(sums, 0);
      java.util.Arrays.fill(helperSums, 0);
    }
    int count = Math.toIntExact(scores.size(0) * heads);
    int work = AttentionGradientLanes.workLength(queries, keys, keyDim, valueDim);
    int staged = AttentionGradientLanes.stagedLength(h);
    if (scores.length() < MultiHeadAttention.TWO_THREADS) {
      AttentionGradientLanes.gradients(h, 0, count, JavaWork.floats(6, work), sums,
          JavaWork.floats(4, staged));
    } else {
      int half = scores.size(0) > 1 ? (int) (scores.size(0) / 2) * heads : count / 2;
      SecondThread.run(() -> AttentionGradientLanes.gradients(h, half, count,
              JavaWork.floats(6, work), helperSums, JavaWork.floats(4, staged)),
          () -> AttentionGradientLanes.gradients(h, 0, half, JavaWork.floats(6, work), sums,
              JavaWork.floats(4, staged)));
    }
    Reference.reachabilityFence(trace); // lanes do not hold their arrays
    Reference.reachabilityFence(w);
    if (joint) {
      INDArray[] biases = {grads.queryBias(), grads.keyBias(), grads.valueBias()};
      for (int part = 0, at = 0; part < biases.length; part++) {
        int length = (part < 2 ? keyDim : valueDim) * heads;
        if (biases[part] != null) {
          Elements bias = Elements.of(biases[part]);
          for (int j = 0; j < length; j++) {
            bias.set(j, sums[at + j] + helperSums[at + j]);
          }
        }
        at += length;
      }
    }
    return true;
  }
}
