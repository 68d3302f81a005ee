package dev.kiln.runtime.data;

import dev.kiln.runtime.NdArrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** One-hot encoding of class indices, Keras' {@code to_categorical}. */
public final class OneHot {

  private OneHot() {}

  /** Rows of {@code classes} floats, 1 at each index: {@code (n)} becomes {@code (n, classes)}. */
  public static INDArray encode(INDArray indices, int classes) {
    INDArray flat = indices.reshape(indices.length());
    double max = flat.maxNumber().doubleValue();
    double min = flat.minNumber().doubleValue();
    if (min < 0 || max >= classes) {
      throw new IllegalArgumentException(
          "class indices must be in [0, " + classes + "), found " + min + " .. " + max);
    }
    INDArray encoded = NdArrays.zeros(DataType.FLOAT, flat.length(), classes);
    Nd4j.exec(new org.nd4j.linalg.api.ops.impl.shape.OneHot(flat, encoded, classes, -1, 1.0, 0.0));
    return encoded;
  }
}
