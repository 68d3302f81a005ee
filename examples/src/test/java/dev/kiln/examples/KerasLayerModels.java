package dev.kiln.examples;

import static dev.kiln.Activation.ELU;
import static dev.kiln.Activation.EXPONENTIAL;
import static dev.kiln.Activation.GELU;
import static dev.kiln.Activation.GELU_TANH;
import static dev.kiln.Activation.HARD_SIGMOID;
import static dev.kiln.Activation.LEAKY_RELU;
import static dev.kiln.Activation.SELU;
import static dev.kiln.Activation.SILU;
import static dev.kiln.Activation.SOFTPLUS;
import static dev.kiln.Activation.SOFTSIGN;
import static dev.kiln.Loss.MSE;

import dev.kiln.ActivationLayer;
import dev.kiln.Conv2D;
import dev.kiln.Dense;
import dev.kiln.Flatten;
import dev.kiln.Input;
import dev.kiln.LayerNormalization;
import dev.kiln.Add;
import dev.kiln.LeakyReLU;
import dev.kiln.Model;
import dev.kiln.Output;
import dev.kiln.Tensor;

/** Small models of the layers and activations added after Keras 3, for gradient checks. */
final class KerasLayerModels {

  private KerasLayerModels() {}

  /** Every new activation on a Dense, a Conv2D or an ActivationLayer, and a LeakyReLU layer. */
  @Model
  interface Activations {
    @Input(shape = {4, 4, 2})
    Tensor image();

    @Conv2D(filters = 2, kernelSize = 3, activation = GELU)
    Tensor conv(Tensor image);

    @Flatten
    Tensor flat(Tensor conv);

    @Dense(units = 6, activation = GELU_TANH)
    Tensor a(Tensor flat);

    @Dense(units = 6, activation = SILU)
    Tensor b(Tensor a);

    @Dense(units = 6, activation = LEAKY_RELU)
    Tensor c(Tensor b);

    @LeakyReLU(negativeSlope = 0.1)
    Tensor d(Tensor c);

    @Dense(units = 6, activation = ELU)
    Tensor e(Tensor d);

    @Dense(units = 6, activation = SELU)
    Tensor f(Tensor e);

    @Dense(units = 6, activation = SOFTPLUS)
    Tensor g(Tensor f);

    @ActivationLayer(SOFTSIGN)
    Tensor h(Tensor g);

    @Dense(units = 6, activation = HARD_SIGMOID)
    Tensor i(Tensor h);

    @Output(loss = MSE)
    @Dense(units = 2, activation = EXPONENTIAL)
    Tensor output(Tensor i);
  }

  /**
   * LayerNormalization over the features, over the last two axes, and without gamma and beta,
   * inside a residual connection. Parameters: 3*6+6 + (6+6) + (4*6+4*6) + 0 + 24*2+2.
   */
  @Model
  interface Normalized {
    @Input(shape = {4, 3})
    Tensor steps();

    @Dense(units = 6, activation = GELU)
    Tensor project(Tensor steps);

    @LayerNormalization
    Tensor norm(Tensor project);

    @LayerNormalization(axis = {-2, -1}, epsilon = 1e-5)
    Tensor both(Tensor norm);

    @LayerNormalization(axis = 2, center = false, scale = false)
    Tensor plain(Tensor both);

    @Add
    Tensor residual(Tensor project, Tensor plain);

    @Flatten
    Tensor flat(Tensor residual);

    @Output(loss = MSE)
    @Dense(units = 2)
    Tensor output(Tensor flat);
  }
}
