package dev.kiln.runtime.kernels;

import dev.kiln.runtime.testing.RandomArrays;
import dev.kiln.runtime.testing.TorchFixtures;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' Softmax layer along any axis: against PyTorch's {@code softmax(dim)} and finite
 * differences.
 */
class SoftmaxAxisTest {

  @Test
  void equalsPyTorchAlongEachAxis() {
    check("softmax.axis1", 1, 2, 3, 4);
    check("softmax.rows", 1, 5, 3);
    check("softmax.middle", 2, 2, 4, 3, 2);
  }

  private static void check(String name, int axis, long... shape) {
    INDArray x = TorchFixtures.array(name + ".x", shape);
    INDArray y = KernelChecks.nansLike(x);
    Softmax.forward(x, axis, y);
    TorchFixtures.assertMatches(name + ".y", y);
    INDArray dx = KernelChecks.nansLike(x);
    Softmax.backward(y, axis, TorchFixtures.array(name + ".r", shape), dx);
    TorchFixtures.assertMatches(name + ".dx", dx);
  }

  @Test
  void backwardMatchesFiniteDifferencesAndMayOverwriteItsGradient() {
    for (int axis = 1; axis <= 3; axis++) {
      INDArray z = RandomArrays.uniform(1, 2, 3, 4, 2).muli(3);
      INDArray y = KernelChecks.nansLike(z);
      INDArray r = RandomArrays.uniform(2, 2, 3, 4, 2);
      Softmax.forward(z, axis, y);
      INDArray dz = r.dup();
      Softmax.backward(y, axis, dz, dz);
      int along = axis;
      KernelChecks.assertGradient("axis " + axis, () -> Softmax.forward(z, along, y), y, r, z, dz);
    }
  }
}
