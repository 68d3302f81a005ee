package dev.kiln.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.kernels.LanesGate;
import dev.kiln.runtime.kernels.VectorApi;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every optimizer whose state decays stores it as zero once it falls below the smallest normal
 * number of its type, as TensorFlow's flush-to-zero does for Keras ({@link Subnormals}): state
 * just above that number, decayed by a step with a zero gradient, is stored as exactly zero, in
 * float32 and float64, in the rules' loops and in lanes.
 */
class SubnormalStateTest {

  /** Not a whole number of vectors, so that lanes and the loop after them both store state. */
  private static final int LENGTH = 37;

  /** Above 1 by less than any rule's decay factor is below 1 (Adam's beta2: 0.999). */
  private static final double ABOVE = 1.0005;

  static Stream<Arguments> rules() {
    List<Supplier<Updater>> rules = List.of(
        () -> new Adam(1e-2), () -> new AdamW(1e-2, 0.05, false), () -> new RmsProp(1e-2),
        () -> new Sgd(1e-2, 0.9, false), () -> new Sgd(1e-2, 0.9, true), () -> new Adamax(1e-2),
        () -> new Nadam(1e-2), () -> new Lion(1e-3));
    List<String> names = List.of("adam", "adamw", "rmsprop", "sgd momentum", "sgd nesterov",
        "adamax", "nadam", "lion");
    List<Arguments> cases = new ArrayList<>();
    for (int r = 0; r < rules.size(); r++) {
      cases.add(Arguments.of(names.get(r) + " float64", rules.get(r), DataType.DOUBLE, false));
      cases.add(Arguments.of(names.get(r) + " float32", rules.get(r), DataType.FLOAT, false));
      if (VectorApi.ENABLED) {
        cases.add(Arguments.of(names.get(r) + " float32 lanes", rules.get(r), DataType.FLOAT, true));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void decayedStateBelowTheSmallestNormalIsStoredAsZero(
      String name, Supplier<Updater> rule, DataType type, boolean lanes) {
    double smallest = type == DataType.FLOAT ? Float.MIN_NORMAL : Double.MIN_NORMAL;
    Updater updater = rule.get();
    updater.lanes = lanes;
    updater.twoThreads = false;
    updater.attach(LENGTH, type);
    INDArray parameters = NdArrays.zeros(type, LENGTH).addi(0.5);
    INDArray gradients = NdArrays.zeros(type, LENGTH);
    List<INDArray> state = updater.stateArrays();
    assertTrue(!state.isEmpty(), name + " keeps state");
    for (INDArray array : state) {
      array.assign(smallest * ABOVE);
      assertEquals(smallest * ABOVE, array.getDouble(0), smallest * 1e-6,
          name + ": the state starts just above the smallest normal number");
    }
    LanesGate.force(lanes ? Boolean.TRUE : null);
    try {
      updater.step(parameters, gradients);
    } finally {
      LanesGate.force(null);
    }
    for (int s = 0; s < state.size(); s++) {
      for (int i = 0; i < LENGTH; i++) {
        assertEquals(0.0, state.get(s).getDouble(i), 0.0,
            name + ": state " + s + " at " + i + " decayed below the smallest normal number");
      }
    }
    for (int i = 0; i < LENGTH; i++) {
      assertEquals(0.5, parameters.getDouble(i), 2e-3, name + ": a step moves by a learning rate at most");
    }
  }
}
