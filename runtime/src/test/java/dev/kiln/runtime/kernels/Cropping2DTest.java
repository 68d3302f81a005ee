package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.LayerChecks.assertGradient;
import static dev.kiln.runtime.kernels.LayerChecks.assertNoSteadyStateAllocation;
import static dev.kiln.runtime.kernels.LayerChecks.assertValues;
import static dev.kiln.runtime.kernels.LayerChecks.nans;
import static dev.kiln.runtime.kernels.LayerChecks.nansLike;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class Cropping2DTest {

  @Test
  void cropsEachSideByItsOwnAmount() {
    assertCrop(RandomArrays.uniform(1, 2, 7, 8, 3), 1, 2, 3, 0);
  }

  @Test
  void cropsNothingWhenAllAmountsAreZero() {
    assertCrop(RandomArrays.uniform(2, 2, 3, 4, 2), 0, 0, 0, 0);
  }

  @Test
  void backwardMatchesFiniteDifferences() {
    INDArray x = RandomArrays.uniform(3, 2, 5, 6, 2);
    INDArray out = nans(2, 2, 3, 2);
    INDArray r = RandomArrays.uniform(4, 2, 2, 3, 2);
    INDArray dx = nansLike(x);
    Cropping2D.forward(x, 2, 1, 0, 3, out);
    Cropping2D.backward(r, 2, 1, 0, 3, dx);
    assertGradient("dx", () -> Cropping2D.forward(x, 2, 1, 0, 3, out), out, r, x, dx);
  }

  @Test
  void nullInputGradientIsSkipped() {
    Cropping2D.backward(RandomArrays.uniform(5, 1, 2, 2, 1), 1, 1, 1, 1, null);
  }

  @Test
  void rejectsCropsThatLeaveNothingOrAWrongOutput() {
    INDArray x = RandomArrays.uniform(6, 1, 4, 4, 1);
    assertThrows(IllegalArgumentException.class, () -> Cropping2D.forward(x, 2, 2, 0, 0, nans(1, 0, 4, 1)));
    assertThrows(IllegalArgumentException.class, () -> Cropping2D.forward(x, -1, 0, 0, 0, nans(1, 5, 4, 1)));
    assertThrows(IllegalArgumentException.class, () -> Cropping2D.forward(x, 1, 0, 0, 0, nans(1, 2, 4, 1)));
  }

  @Test
  void repeatedCallsAllocateNothing() {
    INDArray x = RandomArrays.uniform(7, 2, 6, 6, 3);
    INDArray out = nans(2, 3, 4, 3);
    INDArray dx = nansLike(x);
    assertNoSteadyStateAllocation(
        () -> {
          Cropping2D.forward(x, 1, 2, 2, 0, out);
          Cropping2D.backward(out, 1, 2, 2, 0, dx);
        });
  }

  private static void assertCrop(INDArray x, int top, int bottom, int left, int right) {
    int n = (int) x.size(0);
    int height = (int) x.size(1) - top - bottom;
    int width = (int) x.size(2) - left - right;
    int channels = (int) x.size(3);
    INDArray out = nans(n, height, width, channels);
    Cropping2D.forward(x, top, bottom, left, right, out);
    double[] expected = new double[n * height * width * channels];
    for (int i = 0; i < n; i++) {
      for (int h = 0; h < height; h++) {
        for (int w = 0; w < width; w++) {
          for (int c = 0; c < channels; c++) {
            expected[((i * height + h) * width + w) * channels + c] = x.getDouble(i, h + top, w + left, c);
          }
        }
      }
    }
    assertValues(expected, out, "cropped");
  }
}
