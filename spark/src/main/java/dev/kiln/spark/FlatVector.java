package dev.kiln.spark;

import java.io.Serializable;
import java.nio.ByteBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A flat vector of a model's type as a plain Java array: {@code float[]} for a float32 model,
 * {@code double[]} for a float64 one. Parameters, gradients and optimizer state cross the
 * network in this form, never as Java-serialized INDArrays.
 */
final class FlatVector implements Serializable {

  private final float[] floats;
  private final double[] doubles;

  private FlatVector(float[] floats, double[] doubles) {
    this.floats = floats;
    this.doubles = doubles;
  }

  /** A copy of {@code array}'s values, in its own type (float32 or float64). */
  static FlatVector of(INDArray array) {
    return array.dataType() == DataType.DOUBLE
        ? new FlatVector(null, array.toDoubleVector())
        : new FlatVector(array.toFloatVector(), null);
  }

  /** {@code scale} times {@code array}, in {@code array}'s type. */
  static FlatVector scaled(INDArray array, double scale) {
    FlatVector vector = of(array);
    vector.scale(scale);
    return vector;
  }

  int length() {
    return floats != null ? floats.length : doubles.length;
  }

  /** The bytes the values take on the wire. */
  long bytes() {
    return floats != null ? 4L * floats.length : 8L * doubles.length;
  }

  /** Adds {@code other}, element by element, into this vector. */
  void add(FlatVector other) {
    if (other.length() != length()) {
      throw new IllegalArgumentException(
          "cannot add a vector of " + other.length() + " values to one of " + length());
    }
    if (floats != null) {
      for (int i = 0; i < floats.length; i++) {
        floats[i] += other.floats[i];
      }
    } else {
      for (int i = 0; i < doubles.length; i++) {
        doubles[i] += other.doubles[i];
      }
    }
  }

  void scale(double factor) {
    if (floats != null) {
      float f = (float) factor;
      for (int i = 0; i < floats.length; i++) {
        floats[i] *= f;
      }
    } else {
      for (int i = 0; i < doubles.length; i++) {
        doubles[i] *= factor;
      }
    }
  }

  /** Writes the values into {@code target}, a flat array of the same length. */
  void copyInto(INDArray target) {
    target.assign(toArray());
  }

  /** The values as a new flat INDArray of the vector's type. */
  INDArray toArray() {
    return floats != null ? Nd4j.createFromArray(floats) : Nd4j.createFromArray(doubles);
  }

  /** Values {@code [from, from + length)} as bytes (big-endian), bit for bit. */
  ByteBuffer encode(int from, int length) {
    if (floats != null) {
      ByteBuffer bytes = ByteBuffer.allocate(4 * length);
      bytes.asFloatBuffer().put(floats, from, length);
      return bytes;
    }
    ByteBuffer bytes = ByteBuffer.allocate(8 * length);
    bytes.asDoubleBuffer().put(doubles, from, length);
    return bytes;
  }

  /** The vector {@link #encode} wrote into {@code bytes}: doubles or floats. */
  static FlatVector decode(ByteBuffer bytes, boolean doubles) {
    ByteBuffer values = bytes.duplicate();
    if (doubles) {
      double[] read = new double[values.remaining() / 8];
      values.asDoubleBuffer().get(read);
      return new FlatVector(null, read);
    }
    float[] read = new float[values.remaining() / 4];
    values.asFloatBuffer().get(read);
    return new FlatVector(read, null);
  }

  /** The parts one after another, as one vector of their type. */
  static FlatVector concat(FlatVector[] parts) {
    int length = 0;
    for (FlatVector part : parts) {
      length += part.length();
    }
    boolean doubles = parts[0].doubles != null;
    float[] floats = doubles ? null : new float[length];
    double[] all = doubles ? new double[length] : null;
    int at = 0;
    for (FlatVector part : parts) {
      if (doubles) {
        System.arraycopy(part.doubles, 0, all, at, part.length());
      } else {
        System.arraycopy(part.floats, 0, floats, at, part.length());
      }
      at += part.length();
    }
    return new FlatVector(floats, all);
  }

  boolean isDouble() {
    return doubles != null;
  }

  FlatVector copy() {
    return new FlatVector(
        floats == null ? null : floats.clone(), doubles == null ? null : doubles.clone());
  }
}
