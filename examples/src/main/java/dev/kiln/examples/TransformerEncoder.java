package dev.kiln.examples;

import static dev.kiln.Loss.MSE;

import dev.kiln.*;
import dev.kiln.examples.TransformerClassifier.Encoder;
import dev.kiln.examples.TransformerClassifier.EncoderSize;

/**
 * One transformer encoder block at a common size, for the benchmark: 64 tokens of 128 features,
 * 4 heads of 32, a feed-forward layer of 512, trained to reproduce a target sequence. The block
 * is {@link TransformerClassifier}'s.
 */
@Model(optimizer = Optimizer.ADAM)
public interface TransformerEncoder {
  @Input(shape = {64, 128}) Tensor tokens();
  @Apply(Encoder.class) @EncoderSize(heads = 4, keyDim = 32, hidden = 512, width = 128)
  Tensor encoder(Tensor tokens);
  @Output(loss = MSE) @ActivationLayer(Activation.LINEAR) Tensor encoded(Tensor encoder);
}
