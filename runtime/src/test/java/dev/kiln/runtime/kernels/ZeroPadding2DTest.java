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

class ZeroPadding2DTest {

  @Test
  void padsEachSideByItsOwnAmount() {
    // The output starts as NaN, so that any border entry left unwritten shows.
    assertPad(RandomArrays.uniform(1, 2, 3, 4, 2), 1, 2, 3, 0);
  }

  @Test
  void padsOnlyColumns() {
    assertPad(RandomArrays.uniform(2, 1, 2, 3, 3), 0, 0, 2, 1);
  }

  @Test
  void padsNothingWhenAllAmountsAreZero() {
    assertPad(RandomArrays.uniform(3, 2, 3, 2, 1), 0, 0, 0, 0);
  }

  @Test
  void backwardMatchesFiniteDifferences() {
    INDArray x = RandomArrays.uniform(4, 2, 3, 2, 2);
    INDArray out = nans(2, 6, 5, 2);
    INDArray r = RandomArrays.uniform(5, 2, 6, 5, 2);
    INDArray dx = nansLike(x);
    ZeroPadding2D.forward(x, 1, 2, 0, 3, out);
    ZeroPadding2D.backward(r, 1, 2, 0, 3, dx);
    assertGradient("dx", () -> ZeroPadding2D.forward(x, 1, 2, 0, 3, out), out, r, x, dx);
  }

  @Test
  void nullInputGradientIsSkipped() {
    ZeroPadding2D.backward(RandomArrays.uniform(6, 1, 4, 4, 1), 1, 1, 1, 1, null);
  }

  @Test
  void rejectsNegativePaddingOrAWrongOutput() {
    INDArray x = RandomArrays.uniform(7, 1, 2, 2, 1);
    assertThrows(IllegalArgumentException.class, () -> ZeroPadding2D.forward(x, -1, 0, 0, 0, nans(1, 1, 2, 1)));
    assertThrows(IllegalArgumentException.class, () -> ZeroPadding2D.forward(x, 1, 1, 0, 0, nans(1, 3, 2, 1)));
  }

  @Test
  void repeatedCallsAllocateNothing() {
    INDArray x = RandomArrays.uniform(8, 2, 4, 4, 3);
    INDArray out = nans(2, 6, 7, 3);
    INDArray dx = nansLike(x);
    assertNoSteadyStateAllocation(
        () -> {
          ZeroPadding2D.forward(x, 1, 1, 2, 1, out);
          ZeroPadding2D.backward(out, 1, 1, 2, 1, dx);
        });
  }

  private static void assertPad(INDArray x, int top, int bottom, int left, int right) {
    int n = (int) x.size(0);
    int height = (int) x.size(1);
    int width = (int) x.size(2);
    int channels = (int) x.size(3);
    int paddedHeight = top + height + bottom;
    int paddedWidth = left + width + right;
    INDArray out = nans(n, paddedHeight, paddedWidth, channels);
    ZeroPadding2D.forward(x, top, bottom, left, right, out);
    double[] expected = new double[n * paddedHeight * paddedWidth * channels];
    for (int i = 0; i < n; i++) {
      for (int h = 0; h < paddedHeight; h++) {
        for (int w = 0; w < paddedWidth; w++) {
          for (int c = 0; c < channels; c++) {
            boolean inside = h >= top && h < top + height && w >= left && w < left + width;
            expected[((i * paddedHeight + h) * paddedWidth + w) * channels + c] =
                inside ? x.getDouble(i, h - top, w - left, c) : 0.0;
          }
        }
      }
    }
    assertValues(expected, out, "padded");
  }
}
