package dev.kiln.processor.layers;

import dev.kiln.Padding;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.util.List;

/**
 * Explains spatial mismatches between branches: which window layer rounded an odd size down,
 * and what input size would avoid it.
 */
final class Downsampling {

  private Downsampling() {}

  /**
   * A sentence on why two images that should align do not, from the producers of the two
   * branches (each from the branch's producer back to a model input); empty if no rounding by a
   * window explains it.
   */
  static String explain(List<Node> first, List<Node> second) {
    List<Node> deeper = factor(first) >= factor(second) ? first : second;
    long factor = factor(deeper);
    Node input = deeper.get(deeper.size() - 1);
    // Walk from the model input towards the merge, to name the first rounding.
    for (int i = deeper.size() - 1; i >= 0; i--) {
      Node node = deeper.get(i);
      if (!isWindow(node) || node.inputShapes().isEmpty() || node.inputShapes().get(0).rank() != 3) {
        continue;
      }
      int[] strides = Windows.strides(node.decl());
      Shape in = node.inputShapes().get(0);
      for (int axis = 0; axis < 2; axis++) {
        int size = in.dim(axis);
        if (size % strides[axis] != 0) {
          return " With a " + sizes(input.shape()) + " input, " + node.name() + " turns "
              + size + " " + (axis == 0 ? "rows" : "columns") + " into " + node.shape().dim(axis)
              + " (" + size + " / " + strides[axis] + " = " + (size / (double) strides[axis])
              + ", rounded " + (Windows.padding(node.decl()) == Padding.SAME ? "up" : "down")
              + "); use an input side divisible by " + factor + ", or @Cropping2D the larger"
              + " tensor.";
        }
      }
    }
    return "";
  }

  /** The product of the strides of the window layers along a chain of producers. */
  private static long factor(List<Node> chain) {
    long factor = 1;
    for (Node node : chain) {
      if (isWindow(node)) {
        // Capped: a factor past an int's range means no input size divides anyway.
        factor = Math.min(factor * Windows.strides(node.decl())[0], Integer.MAX_VALUE);
      }
    }
    return factor;
  }

  private static boolean isWindow(Node node) {
    LayerKind kind = node.decl().kind();
    return kind instanceof PoolingKind || kind instanceof Conv2DKind
        || kind instanceof DepthwiseConv2DKind || kind instanceof SeparableConv2DKind;
  }

  private static String sizes(Shape image) {
    return image.rank() >= 2 ? image.dim(0) + "x" + image.dim(1) : image.toString();
  }
}
