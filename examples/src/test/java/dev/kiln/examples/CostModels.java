package dev.kiln.examples;

import static dev.kiln.Loss.MSE;

import dev.kiln.Dense;
import dev.kiln.GlobalAveragePooling1D;
import dev.kiln.Input;
import dev.kiln.Model;
import dev.kiln.MultiHeadAttention;
import dev.kiln.Output;
import dev.kiln.Tensor;

/** Models whose costs {@code CostTest} counts by hand. */
final class CostModels {

  private CostModels() {}

  /** Self-attention over sequences of any length: its cost grows with the square of the steps. */
  @Model
  interface VariableAttention {
    @Input(shape = {-1, 6})
    Tensor steps();

    @MultiHeadAttention(numHeads = 2, keyDim = 4)
    Tensor attention(Tensor steps);

    @GlobalAveragePooling1D
    Tensor pooled(Tensor attention);

    @Output(loss = MSE)
    @Dense(units = 1)
    Tensor out(Tensor pooled);
  }
}
