package dev.kiln.processor.layers;

import dev.kiln.Conv2DTranspose;
import dev.kiln.Padding;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;

/** {@code @Conv2DTranspose}: the transposed convolution, which upsamples. */
final class Conv2DTransposeKind extends ConvolutionKind {

  Conv2DTransposeKind() {
    super(Conv2DTranspose.class);
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    LayerDecl layer = context.layer();
    Shape input = context.inputs().get(0);
    if (!Windows.isImage(context)) {
      return null;
    }
    int[] size = Windows.size(layer);
    int[] strides = Windows.strides(layer);
    int[] dilation = Windows.dilation(layer);
    Padding padding = Windows.padding(layer);
    int[] out = new int[2];
    for (int axis = 0; axis < 2; axis++) {
      int extent = Windows.extent(size[axis], dilation[axis]);
      // Keras' deconv_output_length without output_padding.
      int strided = Math.multiplyExact(input.dim(axis), strides[axis]);
      out[axis] = padding == Padding.SAME
          ? strided
          : Math.addExact(strided, Math.max(extent - strides[axis], 0));
    }
    return Shape.of(out[0], out[1], layer.attributes().intValue("filters"));
  }

  /** Each input pixel spreads the whole kernel over the output. */
  @Override
  long kernelPositions(Node node) {
    Shape input = node.inputShapes().get(0);
    return (long) input.dim(0) * input.dim(1);
  }

  @Override
  Shape kernelShape(int[] size, int channels, int filters) {
    // Keras keeps the transposed kernel as (rows, columns, filters, channels).
    return Shape.of(size[0], size[1], filters, channels);
  }
}
