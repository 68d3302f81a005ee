package dev.kiln.runtime.kernels;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keras' {@code UpSampling2D} with nearest interpolation over channels-last images: each pixel
 * repeated {@code sizeHeight} times down and {@code sizeWidth} times across.
 */
public final class UpSampling2D {

  /**
   * upsampling2d's and upsampling2d_bp's layout flag, passed to libnd4j's helper as "is NCHW":
   * 0 is NHWC. The op sources' comment says the opposite; the tests settle it.
   */
  private static final int NHWC = 0;

  private UpSampling2D() {}

  /**
   * @param x input, {@code (n, h, w, c)}
   * @param sizeHeight row repeats
   * @param sizeWidth column repeats
   * @param out written, {@code (n, h * sizeHeight, w * sizeWidth, c)}
   */
  public static void forward(INDArray x, int sizeHeight, int sizeWidth, INDArray out) {
    Nd4j.exec(
        DynamicCustomOp.builder("upsampling2d")
            .addInputs(x)
            .addOutputs(out)
            .addIntegerArguments(sizeHeight, sizeWidth, NHWC)
            .build());
  }

  /**
   * Sums each {@code sizeHeight x sizeWidth} block of {@code dOut} into the pixel it repeats.
   *
   * @param dOut {@code (n, h * sizeHeight, w * sizeWidth, c)}
   * @param sizeHeight row repeats
   * @param sizeWidth column repeats
   * @param dx written, {@code (n, h, w, c)}, or {@code null} when nothing needs it (the layer
   *     reads a model input): then there is nothing to do
   */
  public static void backward(INDArray dOut, int sizeHeight, int sizeWidth, INDArray dx) {
    if (dx == null) {
      return;
    }
    if (dOut.size(1) != dx.size(1) * sizeHeight || dOut.size(2) != dx.size(2) * sizeWidth) {
      // upsampling2d_bp would read other repeats off the shapes than the layer's.
      throw new IllegalArgumentException("dOut " + Arrays.toString(dOut.shape())
          + " is not dx " + Arrays.toString(dx.shape())
          + " repeated " + sizeHeight + " x " + sizeWidth);
    }
    // upsampling2d_bp reads the repeats off the two shapes; its first input, the forward input,
    // serves only for its shape, which dx has.
    Nd4j.exec(
        DynamicCustomOp.builder("upsampling2d_bp")
            .addInputs(dx, dOut)
            .addOutputs(dx)
            .addIntegerArguments(NHWC)
            .build());
  }
}
