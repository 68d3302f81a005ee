package dev.kiln.processor.layers;

import dev.kiln.Conv2D;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;

/** {@code @Conv2D}: a 2-D convolution over channels-last images. */
final class Conv2DKind extends ConvolutionKind {

  Conv2DKind() {
    super(Conv2D.class);
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    return Windows.outputImage(context, filters(context.layer()));
  }

  @Override
  long kernelPositions(Node node) {
    return (long) node.shape().dim(0) * node.shape().dim(1);
  }

  @Override
  Shape kernelShape(int[] size, int channels, int filters) {
    return Shape.of(size[0], size[1], channels, filters);
  }
}
