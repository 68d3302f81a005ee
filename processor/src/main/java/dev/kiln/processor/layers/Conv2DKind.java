package dev.kiln.processor.layers;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.Conv2D;
import dev.kiln.processor.emit.Runtime;
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

  /** The runtime pools small convolutions as it computes them (its {@code SmallConvLanes}). */
  @Override
  public CodeBlock forwardPooledRelu(LayerCode code, CodeBlock poolWindow, CodeBlock pooled) {
    return CodeBlock.of("$T.forwardPooledRelu($L, $L, $L, $L, $L, $L, $L);\n",
        Runtime.kernel("Conv2D"), code.input(0), code.param("kernel"), code.param("bias"),
        code.constant("WINDOW"), code.output(), poolWindow, pooled);
  }

  /** The runtime keeps the pooling's winning cells in place of the convolution's output. */
  @Override
  public CodeBlock forwardPooledReluForBackward(
      LayerCode code, CodeBlock poolWindow, CodeBlock pooled) {
    return CodeBlock.of("$T.forwardPooledReluForBackward($L, $L, $L, $L, $L, $L, $L);\n",
        Runtime.kernel("Conv2D"), code.input(0), code.param("kernel"), code.param("bias"),
        code.constant("WINDOW"), code.output(), poolWindow, pooled);
  }

  @Override
  public CodeBlock backwardPooledRelu(LayerCode code, CodeBlock poolWindow, CodeBlock pooled,
      CodeBlock pooledGradient) {
    return CodeBlock.of("$T.backwardPooledRelu($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L);\n",
        Runtime.kernel("Conv2D"), code.input(0), code.param("kernel"), code.param("bias"),
        code.output(), pooledGradient, code.constant("WINDOW"), poolWindow, code.outputGradient(),
        pooled, code.grad("kernel"), code.grad("bias"));
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
