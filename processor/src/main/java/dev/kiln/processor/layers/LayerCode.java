package dev.kiln.processor.layers;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Shape;
import java.util.List;

/**
 * The names a layer kind writes its forward and backward calls with: its inputs, its
 * parameters, its output buffer and the gradient buffers, all decided by the model writer.
 */
public interface LayerCode {

  LayerDecl layer();

  List<Shape> inputShapes();

  Shape shape();

  /** The activation of input {@code index}. */
  CodeBlock input(int index);

  /**
   * The mask {@code (n, steps)} on input {@code index}, 1 for a step that counts, or {@code null}
   * when the input carries none.
   */
  CodeBlock inputMask(int index);

  /** Where a layer that makes a mask ({@link MaskUse#MAKES}) writes it, {@code (n, steps)}. */
  CodeBlock outputMask();

  /** Where the layer's own computation writes, before any activation. */
  CodeBlock output();

  /**
   * Where the layer's activation writes: {@link #output()} itself unless the activation keeps
   * the pre-activation apart (see {@link LayerKind#forwardWithActivation}).
   */
  CodeBlock activated();

  /** Parameter {@code name}, or {@code null} if the layer does not have it. */
  CodeBlock param(String name);

  /** The gradient of parameter {@code name}, or {@code null}. */
  CodeBlock grad(String name);

  /** The loss gradient with respect to {@link #output()}. */
  CodeBlock outputGradient();

  /** Where to write the gradient of input {@code index}, or {@code null} if none is needed. */
  CodeBlock inputGradient(int index);

  /** Whether anything needs the gradient of input {@code index}. */
  boolean needsInputGradient(int index);

  /** Whether the pass is a training pass (dropout, batch normalisation). */
  CodeBlock training();

  /**
   * Whether anything reads the layer's activation buffers ({@link LayerKind#activationBuffers})
   * after this forward pass: a training step and {@code activations(...)} do; a prediction on
   * its own buffers does not, and may leave them unwritten.
   */
  default CodeBlock activationBuffersRead() {
    return CodeBlock.of("true");
  }

  /** The model's random generator for training noise (dropout masks). */
  CodeBlock random();

  /** The constant declared by {@link LayerKind#constants} with this suffix. */
  CodeBlock constant(String suffix);

  /** The extra buffer declared by {@link LayerKind#extraBuffers} with this suffix. */
  CodeBlock buffer(String suffix);
}
