package dev.kiln.runtime.optim;

import dev.kiln.runtime.Elements;
import dev.kiln.runtime.kernels.LanesGate;
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
 * Each whole vector's update is one method that takes and returns no vector and calls only the
 * Vector API's own: C2 keeps its vectors in registers whether or not it inlines that method into
 * the loop (a vector passed to or returned from a method left out of line is boxed, and a JFR
 * recording of RnnRows showed 1.29 GB allocated so under the former helper that clipped the
 * gradient). Cold, the passes run a chunk in lanes and leave the rest to the rule's loop ({@link
 * LanesGate}). Only code that checked {@code VectorApi.appliesTo(FLOAT)} may load this class.
 */
final class UpdateLanes {

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();
  private static final int WIDTH = SPECIES.length();

  private static final LanesGate ADAM = new LanesGate("Adam's");
  private static final LanesGate RMS_PROP = new LanesGate("RMSprop's");

  private UpdateLanes() {}

  /**
   * Adam over the whole vectors of {@code span}: {@code m = b1 m + c1 g; v = b2 v + c2 g g; p =
   * keep p - rate m / (sqrt(v) + eps)}, the applied change left in the gradients.
   *
   * @return the first index not updated: the rule's loop updates the rest
   */
  static int adam(Elements.Floats parameters, Elements.Floats gradients,
      Elements.Floats secondMoment, Elements.Floats firstMoment, Span span, float b1, float c1,
      float b2, float c2, float eps, float rate) {
    int from = Math.toIntExact(span.from);
    int end = ADAM.lanesEnd(from, from + (Math.toIntExact(span.to) - from) / WIDTH * WIDTH);
    ByteBuffer p = parameters.bytes();
    ByteBuffer g = gradients.bytes();
    ByteBuffer v = secondMoment.bytes();
    ByteBuffer m = firstMoment.bytes();
    float scale = (float) span.gradientScale;
    float limit = (float) span.clamp;
    float keep = (float) span.keep;
    long mark = ADAM.start();
    for (int i = from; i < end; i += WIDTH) {
      adamVector(p, parameters.byteOffset(i), g, gradients.byteOffset(i), v,
          secondMoment.byteOffset(i), m, firstMoment.byteOffset(i), scale, limit, keep, b1, c1,
          b2, c2, eps, rate);
    }
    ADAM.finish(mark, end > from);
    return end;
  }

  /**
   * RMSprop over the whole vectors of {@code span}: {@code a = rho a + (1 - rho) g g; p = keep p -
   * rate g / (sqrt(a) + eps)}, the applied change left in the gradients.
   *
   * @return the first index not updated: the rule's loop updates the rest
   */
  static int rmsProp(Elements.Floats parameters, Elements.Floats gradients,
      Elements.Floats meanSquare, Span span, float rho, float addSquare, float eps, float rate) {
    int from = Math.toIntExact(span.from);
    int end = RMS_PROP.lanesEnd(from, from + (Math.toIntExact(span.to) - from) / WIDTH * WIDTH);
    ByteBuffer p = parameters.bytes();
    ByteBuffer g = gradients.bytes();
    ByteBuffer a = meanSquare.bytes();
    float scale = (float) span.gradientScale;
    float limit = (float) span.clamp;
    float keep = (float) span.keep;
    long mark = RMS_PROP.start();
    for (int i = from; i < end; i += WIDTH) {
      rmsPropVector(p, parameters.byteOffset(i), g, gradients.byteOffset(i), a,
          meanSquare.byteOffset(i), scale, limit, keep, rho, addSquare, eps, rate);
    }
    RMS_PROP.finish(mark, end > from);
    return end;
  }

  /*
   * The gradient as Span#gradient takes it: scaled, then clamped to [-limit, limit] (an infinite
   * limit clamps nothing; NaN stays NaN). The moving averages decay * old + added are stored, as
   * zero where subnormal (Subnormals), and the move as Span#move makes it: p = keep p - update,
   * and before - after in the gradient.
   */

  /** Adam's update of one vector of parameters at the given byte offsets. */
  private static void adamVector(ByteBuffer p, int pAt, ByteBuffer g, int gAt, ByteBuffer v,
      int vAt, ByteBuffer m, int mAt, float scale, float limit, float keep, float b1, float c1,
      float b2, float c2, float eps, float rate) {
    FloatVector gradient =
        FloatVector.fromByteBuffer(SPECIES, g, gAt, ORDER).mul(scale).max(-limit).min(limit);
    FloatVector first = FloatVector.fromByteBuffer(SPECIES, m, mAt, ORDER).mul(b1)
        .add(gradient.mul(c1));
    first = first.blend(0, first.abs().lt(Float.MIN_NORMAL));
    first.intoByteBuffer(m, mAt, ORDER);
    FloatVector second = FloatVector.fromByteBuffer(SPECIES, v, vAt, ORDER).mul(b2)
        .add(gradient.mul(c2).mul(gradient));
    second = second.blend(0, second.abs().lt(Float.MIN_NORMAL));
    second.intoByteBuffer(v, vAt, ORDER);
    FloatVector before = FloatVector.fromByteBuffer(SPECIES, p, pAt, ORDER);
    FloatVector after = before.mul(keep).sub(first.mul(rate).div(second.sqrt().add(eps)));
    after.intoByteBuffer(p, pAt, ORDER);
    before.sub(after).intoByteBuffer(g, gAt, ORDER);
  }

  /** RMSprop's update of one vector of parameters at the given byte offsets. */
  private static void rmsPropVector(ByteBuffer p, int pAt, ByteBuffer g, int gAt, ByteBuffer a,
      int aAt, float scale, float limit, float keep, float rho, float addSquare, float eps,
      float rate) {
    FloatVector gradient =
        FloatVector.fromByteBuffer(SPECIES, g, gAt, ORDER).mul(scale).max(-limit).min(limit);
    FloatVector square = FloatVector.fromByteBuffer(SPECIES, a, aAt, ORDER).mul(rho)
        .add(gradient.mul(addSquare).mul(gradient));
    square = square.blend(0, square.abs().lt(Float.MIN_NORMAL));
    square.intoByteBuffer(a, aAt, ORDER);
    FloatVector before = FloatVector.fromByteBuffer(SPECIES, p, pAt, ORDER);
    FloatVector after = before.mul(keep).sub(gradient.mul(rate).div(square.sqrt().add(eps)));
    after.intoByteBuffer(p, pAt, ORDER);
    before.sub(after).intoByteBuffer(g, gAt, ORDER);
  }
}
