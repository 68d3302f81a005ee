package dev.kiln.processor.layers;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The arithmetic of one layer on one sample, in floating-point operations (FLOPs), as the summary
 * counts it: a multiply-add is 2 FLOPs, and every other element-wise operation (an add, a
 * comparison, an exponential, a division) is 1 FLOP per element. Moving data (gathering, copying,
 * padding, concatenating) costs nothing.
 *
 * <p>The backward pass is split by what it produces, because training skips some of it: the
 * gradient of an input that is a model input is never computed.
 *
 * @param forward the forward pass of a prediction
 * @param trainingForward what the forward pass of a training step does besides (a dropout mask,
 *     batch statistics)
 * @param weightGradients the backward pass' work for the layer's own parameters, and the work every
 *     backward pass needs whatever its inputs are (a recurrent layer's steps back in time)
 * @param inputGradients the work for the gradient of each input, in input order
 */
public record Flops(
    long forward, long trainingForward, long weightGradients, List<Long> inputGradients) {

  public Flops {
    inputGradients = List.copyOf(inputGradients);
  }

  /** Work whose forward pass is the same in training and prediction. */
  public Flops(long forward, long weightGradients, List<Long> inputGradients) {
    this(forward, 0, weightGradients, inputGradients);
  }

  /** A layer that only moves data: no arithmetic either way. */
  public static Flops none(int inputs) {
    return new Flops(0, 0, Collections.nCopies(inputs, 0L));
  }

  /**
   * A product of {@code multiplyAdds} multiply-adds with a weight (a kernel applied at every
   * position): {@code 2 * multiplyAdds} forward, the same again for the weight's gradient and again
   * for the input's.
   */
  public static Flops product(long multiplyAdds) {
    long flops = Math.multiplyExact(2, multiplyAdds);
    return new Flops(flops, flops, List.of(flops));
  }

  /**
   * A bias of {@code size} values added at {@code positions} positions: one add each forward, and
   * its gradient sums the output gradient over the positions, one add each.
   */
  public static Flops bias(long positions, long size, int inputs) {
    long flops = Math.multiplyExact(positions, size);
    return new Flops(flops, flops, Collections.nCopies(inputs, 0L));
  }

  /**
   * Element-wise work without weights: {@code forward} FLOPs, and {@code backward} FLOPs for the
   * gradient of each of {@code inputs} inputs.
   */
  public static Flops elementwise(long forward, long backward, int inputs) {
    return new Flops(forward, 0, Collections.nCopies(inputs, backward));
  }

  /** Both layers' work; they must have the same number of inputs. */
  public Flops plus(Flops other) {
    if (other.inputGradients.size() != inputGradients.size()) {
      throw new IllegalArgumentException("cannot add the FLOPs of a layer with "
          + other.inputGradients.size() + " inputs to one with " + inputGradients.size());
    }
    List<Long> inputs = new ArrayList<>();
    for (int i = 0; i < inputGradients.size(); i++) {
      inputs.add(Math.addExact(inputGradients.get(i), other.inputGradients.get(i)));
    }
    return new Flops(Math.addExact(forward, other.forward),
        Math.addExact(trainingForward, other.trainingForward),
        Math.addExact(weightGradients, other.weightGradients), inputs);
  }

  /** This work done {@code times} times (each step of a sequence, both directions). */
  public Flops times(long times) {
    return new Flops(Math.multiplyExact(forward, times), Math.multiplyExact(trainingForward, times),
        Math.multiplyExact(weightGradients, times),
        inputGradients.stream().map(flops -> Math.multiplyExact(flops, times)).toList());
  }

  /** The same work, its training-only part of the forward pass {@code extra} more. */
  public Flops withTrainingForward(long extra) {
    return new Flops(forward, Math.addExact(trainingForward, extra), weightGradients,
        inputGradients);
  }

  /** The backward pass when the gradients of the inputs marked in {@code needed} are computed. */
  public long backward(List<Boolean> needed) {
    long backward = weightGradients;
    for (int i = 0; i < inputGradients.size(); i++) {
      if (needed.get(i)) {
        backward = Math.addExact(backward, inputGradients.get(i));
      }
    }
    return backward;
  }
}
