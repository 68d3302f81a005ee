package dev.kiln.runtime.optim;

import dev.kiln.runtime.Elements;
import dev.kiln.runtime.NdArrays;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An optimizer's update rule (Keras' optimizer, DL4J's updater), applied in one pass over a
 * model's flat parameter and gradient buffers. Its state (moments, accumulators) is flat too,
 * allocated once when the updater is attached to a model.
 *
 * <p>The rules are Java loops over the arrays' native memory that update the state, the
 * parameters and the gradient buffer in the same pass: libnd4j's updater ops plus a separate
 * subtraction took four times as long, memory-bound as the update is.
 */
public abstract class Updater {

  private double learningRate;
  private long iterations;
  private final List<INDArray> state = new ArrayList<>();
  private Elements[] stateElements = new Elements[0];
  private Elements parameterElements;
  private Elements gradientElements;
  private long attachedSize = -1;
  private DataType attachedType;

  protected Updater(double learningRate) {
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      throw new IllegalArgumentException(
          "learning rate must be a positive number, got " + learningRate);
    }
    this.learningRate = learningRate;
  }

  /**
   * Moves {@code parameters} against {@code gradients}. The gradient buffer is consumed: it holds
   * the applied update afterwards ({@code parameters before - parameters after}). A model without
   * parameters (only pooling, reshaping, activations) has empty buffers, which ND4J's
   * arithmetic refuses: its step only counts.
   */
  public final void step(INDArray parameters, INDArray gradients) {
    if (attachedSize < 0) {
      throw new IllegalStateException(getClass().getSimpleName() + " is not attached to a model");
    }
    if (parameters.length() > 0) {
      if (parameters.length() != attachedSize || gradients.length() != attachedSize) {
        throw new IllegalArgumentException(
            "parameters (" + parameters.length() + ") and gradients (" + gradients.length()
                + ") must have the " + attachedSize + " values the updater is attached to");
      }
      apply(elementsOf(parameters, true), elementsOf(gradients, false), iterations);
    }
    iterations++;
  }

  /** The elements of the buffer, reused while the model passes the same one (it always does). */
  private Elements elementsOf(INDArray buffer, boolean parameters) {
    Elements cached = parameters ? parameterElements : gradientElements;
    if (cached != null && cached.isOf(buffer)) {
      return cached;
    }
    Elements fresh = Elements.of(buffer);
    if (parameters) {
      parameterElements = fresh;
    } else {
      gradientElements = fresh;
    }
    return fresh;
  }

  /** Allocates the state for {@code size} parameters, once; called by the model. */
  public final void attach(long size, DataType dataType) {
    if (attachedSize >= 0) {
      if (attachedSize != size || attachedType != dataType) {
        throw new IllegalStateException(
            getClass().getSimpleName() + " is attached to another model; create a new one");
      }
      return;
    }
    attachedSize = size;
    attachedType = dataType;
    stateElements = new Elements[stateCount()];
    for (int i = 0; i < stateCount(); i++) {
      INDArray array = NdArrays.zeros(dataType, size);
      array.assign(initialStateValue(i));
      state.add(array);
      stateElements[i] = Elements.of(array);
    }
  }

  /**
   * The update of one step, {@code iteration} counting from 0: moves each parameter and leaves
   * the applied update ({@code before - after}) in its place in {@code gradients}.
   */
  protected abstract void apply(Elements parameters, Elements gradients, long iteration);

  /** How many flat state arrays this rule keeps. */
  protected abstract int stateCount();

  /** The value state array {@code index} starts with. */
  protected double initialStateValue(int index) {
    return 0.0;
  }

  /** The elements of state array {@code index}, as large as the parameter buffer. */
  protected final Elements state(int index) {
    return stateElements[index];
  }

  /** The state arrays, in a fixed order, for checkpoints; live views. */
  public final List<INDArray> stateArrays() {
    return Collections.unmodifiableList(state);
  }

  /** How many steps have been applied. */
  public final long iterations() {
    return iterations;
  }

  /** Restores the step count, for checkpoints. */
  public final void setIterations(long iterations) {
    if (iterations < 0) {
      throw new IllegalArgumentException("iterations must be >= 0, got " + iterations);
    }
    this.iterations = iterations;
  }

  public final double learningRate() {
    return learningRate;
  }

  /** Changes the learning rate from the next step on (schedules, callbacks). */
  public final void setLearningRate(double learningRate) {
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      throw new IllegalArgumentException(
          "learning rate must be a positive number, got " + learningRate);
    }
    this.learningRate = learningRate;
  }

  /** A short name for checkpoints and messages, such as {@code adam}. */
  public abstract String name();
}
