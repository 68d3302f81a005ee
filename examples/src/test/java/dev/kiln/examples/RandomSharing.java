package dev.kiln.examples;

import static dev.kiln.examples.FuzzShapes.VARIABLE;
import static dev.kiln.examples.FuzzShapes.fits;

import dev.kiln.examples.RandomValidModels.Layer;
import java.util.List;

/** Layers that use another's weights (Keras: one layer object called twice), and frozen layers. */
final class RandomSharing {

  private final RandomValidModels generator;

  RandomSharing(RandomValidModels generator) {
    this.generator = generator;
  }

  /**
   * A layer using the weights of an existing one (Keras: one layer object called twice), on another
   * tensor whose shape gives the same weight shapes, possibly the owner's own output.
   */
  boolean share() {
    // A layer of several inputs (cross-attention) is not applied again to one.
    List<Layer> owners =
        generator.layers().stream()
            .filter(layer -> layer.ownsWeights() && layer.reads.size() == 1)
            .toList();
    if (owners.isEmpty()) {
      return false;
    }
    Layer owner = generator.pick(owners);
    String key = owner.kind.weightKey(owner.inputShapes());
    if (owner.reads.get(0).tokens) {
      // Another token input of the same rank, looked up in the same vocabulary.
      int[] shape = owner.reads.get(0).shape.clone();
      for (int axis = 0; axis < shape.length; axis++) {
        shape[axis] =
            shape[axis] == VARIABLE && generator.chance(0.5) ? VARIABLE : generator.between(2, 4);
      }
      if (owner.kind.shape().apply(List.of(shape)) == null
          || !fits(owner.kind.shape().apply(List.of(shape)))) {
        return false;
      }
      return addSharing(owner, generator.addInput(shape, true));
    }
    List<Layer> fitting =
        generator.floats().stream()
            .filter(layer -> layer != owner.reads.get(0) || generator.chance(0.3))
            .filter(
                layer -> {
                  List<int[]> in = List.of(layer.shape);
                  return owner.kind.shape().apply(in) != null
                      && owner.kind.weightKey(in).equals(key);
                })
            .toList();
    if (!fitting.isEmpty() && generator.chance(0.7)) {
      return addSharing(owner, generator.pick(fitting));
    }
    Layer made =
        generator.merges.adapt(generator.pick(generator.floats()), owner.reads.get(0).shape);
    return made != null && addSharing(owner, made);
  }

  private boolean addSharing(Layer owner, Layer input) {
    Layer user = generator.add(owner.kind, List.of(input));
    if (user == null) {
      return false;
    }
    user.sharesWeightsOf = owner;
    return true;
  }

  void freezeSome() {
    for (Layer layer : generator.layers()) {
      if (layer.ownsWeights() && generator.chance(0.12)) {
        layer.frozen = true;
      }
    }
  }
}
