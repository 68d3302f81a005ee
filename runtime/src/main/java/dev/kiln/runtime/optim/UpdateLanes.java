package dev.kiln.runtime.optim;

import dev.kiln.runtime.Elements;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Adam's and RMSprop's float32 passes in Vector API lanes, 16 parameters at once with AVX-512: the
 * same operations in the same order as the rules' scalar float loops, each rounded alike (no fused
 * multiply-add), so both give the same bits. Each method does the whole vectors of a span and
 * returns where the rule's scalar loop takes over for the rest.
 *
 * <p>Why: the scalar loop read and wrote each value through a {@code FloatBuffer}, one at a time,
 * and Adam's pass over the MLP's 541,794 parameters took 1.4 ms, more than a quarter of the step.
 * Each whole vector is one small method calling only the Vector API's own, so that C2 keeps its
 * vectors in registers (see {@code LstmLanes}). Only code that checked {@code
 * VectorApi.appliesTo(FLOAT)} may load this class.
 */
final class UpdateLanes {

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();
  private static final int WIDTH = SPECIES.length();

  private UpdateLanes() {}

  /**
   * Adam over the whole vectors of {@code span}: {@code m = b1 m + c1 g; v = b2 v + c2 g g; p =
   * keep p - rate m / (sqrt(v) + eps)}, the applied change left in the gradients.
   *
   * @return the first index not updated
   */
  static int adam(Elements.Floats parameters, Elements.Floats gradients,
      Elements.Floats secondMoment, Elements.Floats firstMoment, Span span, float b1, float c1,
      float b2, float c2, float eps, float rate) {
    int from = Math.toIntExact(span.from);
    int end = from + (Math.toIntExact(span.to) - from) / WIDTH * WIDTH;
    ByteBuffer p = parameters.bytes();
    ByteBuffer g = gradients.bytes();
    ByteBuffer v = secondMoment.bytes();
    ByteBuffer m = firstMoment.bytes();
    float scale = (float) span.gradientScale;
    float limit = (float) span.clamp;
    float keep = (float) span.keep;
    for (int i = from; i < end; i += WIDTH) {
      FloatVector gradient = clipped(g, gradients.byteOffset(i), scale, limit);
      FloatVector first = moment(m, firstMoment.byteOffset(i), b1, gradient.mul(c1));
      FloatVector second = moment(v, secondMoment.byteOffset(i), b2, gradient.mul(c2).mul(gradient));
      FloatVector update = first.mul(rate).div(second.sqrt().add(eps));
      move(p, parameters.byteOffset(i), g, gradients.byteOffset(i), keep, update);
    }
    return end;
  }

  /**
   * RMSprop over the whole vectors of {@code span}: {@code a = rho a + (1 - rho) g g; p = keep p -
   * rate g / (sqrt(a) + eps)}, the applied change left in the gradients.
   *
   * @return the first index not updated
   */
  static int rmsProp(Elements.Floats parameters, Elements.Floats gradients,
      Elements.Floats meanSquare, Span span, float rho, float addSquare, float eps, float rate) {
    int from = Math.toIntExact(span.from);
    int end = from + (Math.toIntExact(span.to) - from) / WIDTH * WIDTH;
    ByteBuffer p = parameters.bytes();
    ByteBuffer g = gradients.bytes();
    ByteBuffer a = meanSquare.bytes();
    float scale = (float) span.gradientScale;
    float limit = (float) span.clamp;
    float keep = (float) span.keep;
    for (int i = from; i < end; i += WIDTH) {
      FloatVector gradient = clipped(g, gradients.byteOffset(i), scale, limit);
      FloatVector square =
          moment(a, meanSquare.byteOffset(i), rho, gradient.mul(addSquare).mul(gradient));
      FloatVector update = gradient.mul(rate).div(square.sqrt().add(eps));
      move(p, parameters.byteOffset(i), g, gradients.byteOffset(i), keep, update);
    }
    return end;
  }

  /**
   * {@link Span#gradient}: scaled, then clamped to {@code [-limit, limit]} (an infinite limit
   * clamps nothing; NaN stays NaN).
   */
  private static FloatVector clipped(ByteBuffer gradients, int at, float scale, float limit) {
    return FloatVector.fromByteBuffer(SPECIES, gradients, at, ORDER)
        .mul(scale)
        .max(-limit)
        .min(limit);
  }

  /** A moving average {@code decay * old + added}, stored and returned. */
  private static FloatVector moment(ByteBuffer state, int at, float decay, FloatVector added) {
    FloatVector next = FloatVector.fromByteBuffer(SPECIES, state, at, ORDER).mul(decay).add(added);
    next.intoByteBuffer(state, at, ORDER);
    return next;
  }

  /** {@link Span#move}: {@code p = keep p - update}, and {@code before - after} in the gradient. */
  private static void move(ByteBuffer parameters, int at, ByteBuffer gradients, int gradientAt,
      float keep, FloatVector update) {
    FloatVector before = FloatVector.fromByteBuffer(SPECIES, parameters, at, ORDER);
    FloatVector after = before.mul(keep).sub(update);
    after.intoByteBuffer(parameters, at, ORDER);
    before.sub(after).intoByteBuffer(gradients, gradientAt, ORDER);
  }
}
