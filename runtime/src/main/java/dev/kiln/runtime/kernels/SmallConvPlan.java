package dev.kiln.runtime.kernels;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One call's sizes and arrays for {@link SmallConvLanes} and its plain loops: {@code x} the input
 * copied, with the same padding's zeros around each image ({@code h} and {@code w} the copy's rows
 * and columns: Keras' padding, the smaller half before), so that every window lies inside it;
 * {@code taps[t]}, the offset in {@code x} of tap {@code t} from the window's first cell; {@code
 * ow} and {@code oh} the convolution's output size used.
 *
 * <p>The Java arrays belong to the calling thread, grown as needed and kept; both threads of a
 * call read them.
 */
final class SmallConvPlan {

  final float[] x;
  final float[] kernel;
  final float[] bias;
  final int[] taps;
  final int tapCount;
  final int filters;
  final int n;
  final int h;
  final int w;
  final int c;
  final int oh;
  final int ow;
  final int strideH;
  final int strideW;

  private SmallConvPlan(float[] x, float[] kernel, float[] bias, int[] taps, int tapCount,
      int filters, int n, int h, int w, int c, int oh, int ow, int strideH, int strideW) {
    this.x = x;
    this.kernel = kernel;
    this.bias = bias;
    this.taps = taps;
    this.tapCount = tapCount;
    this.filters = filters;
    this.n = n;
    this.h = h;
    this.w = w;
    this.c = c;
    this.oh = oh;
    this.ow = ow;
    this.strideH = strideH;
    this.strideW = strideW;
  }

  private static final ThreadLocal<Held> HELD = ThreadLocal.withInitial(Held::new);

  /** A thread's arrays: the last call's input, kernel, bias and tap offsets. */
  private static final class Held {
    float[] x = new float[0];
    float[] kernel = new float[0];
    float[] bias = new float[0];
    int[] taps = new int[0];
  }

  static SmallConvPlan of(INDArray x, INDArray kernel, INDArray bias, Window window, long oh,
      long ow) {
    Held held = HELD.get();
    int kh = (int) kernel.size(0);
    int kw = (int) kernel.size(1);
    int c = (int) kernel.size(2);
    int filters = (int) kernel.size(3);
    int n = (int) x.size(0);
    int h = (int) x.size(1);
    int tapCount = kh * kw * c;
    int padH = padding(h, kh, window.strideHeight(), window.same());
    int padW = padding(x.size(2), kw, window.strideWidth(), window.same());
    int w = (int) x.size(2) + padW;
    int length = n * (h + padH) * w * c;
    held.x = atLeast(held.x, length);
    if (padH == 0 && padW == 0) {
      new FloatLanes(x).read(0, held.x, 0, length);
    } else {
      padded(new FloatLanes(x), n, h, w - padW, c, h + padH, w, padH / 2, padW / 2, held.x);
    }
    held.kernel = atLeast(held.kernel, tapCount * filters);
    new FloatLanes(kernel).read(0, held.kernel, 0, tapCount * filters);
    held.bias = atLeast(held.bias, filters);
    if (bias == null) {
      Arrays.fill(held.bias, 0, filters, 0f);
    } else {
      new FloatLanes(bias).read(0, held.bias, 0, filters);
    }
    if (held.taps.length < tapCount) {
      held.taps = new int[tapCount];
    }
    for (int u = 0, t = 0; u < kh; u++) {
      for (int v = 0; v < kw * c; v++) {
        held.taps[t++] = u * w * c + v;
      }
    }
    return new SmallConvPlan(held.x, held.kernel, held.bias, held.taps, tapCount, filters,
        n, h + padH, w, c, (int) oh, (int) ow, window.strideHeight(), window.strideWidth());
  }

  /** The length of the input's copy with its same padding, as a long. */
  static long paddedLength(INDArray x, Window window) {
    return x.size(0) * (x.size(1) + padding(x.size(1), window.height(), window.strideHeight(),
        window.same())) * (x.size(2) + padding(x.size(2), window.width(), window.strideWidth(),
        window.same())) * x.size(3);
  }

  /**
   * Keras' same padding along one axis, before and after together: enough that {@code ceil(in /
   * stride)} windows fit; valid padding, none.
   */
  static int padding(long in, int extent, int stride, boolean same) {
    if (!same) {
      return 0;
    }
    long out = (in + stride - 1) / stride;
    return (int) Math.max((out - 1) * stride + extent - in, 0);
  }

  /**
   * Images {@code (n, h, w, c)} into {@code target} as {@code (n, paddedH, paddedW, c)}, each
   * image's rows after {@code top} zero rows and its columns after {@code left} zero columns,
   * zeros after them.
   */
  private static void padded(FloatLanes x, int n, int h, int w, int c, int paddedH,
      int paddedW, int top, int left, float[] target) {
    Arrays.fill(target, 0, n * paddedH * paddedW * c, 0f);
    for (int b = 0; b < n; b++) {
      for (int i = 0; i < h; i++) {
        x.read((b * h + i) * w * c, target, ((b * paddedH + top + i) * paddedW + left) * c,
            w * c);
      }
    }
  }

  private static float[] atLeast(float[] array, int length) {
    return array.length >= length ? array : new float[length];
  }

  /** Where output pixel {@code (b, i, j)}'s window starts in {@code x}. */
  int corner(int b, int i, int j) {
    return ((b * h + i * strideH) * w + j * strideW) * c;
  }
}
