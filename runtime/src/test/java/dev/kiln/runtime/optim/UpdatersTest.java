package dev.kiln.runtime.optim;

import static dev.kiln.runtime.testing.PlainArrays.assertAllClose;
import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Optimizer;
import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.testing.RandomArrays;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The update rules against plain-Java versions of tf.keras' rules, and the updater life cycle. */
class UpdatersTest {

  private static final int SIZE = 7;
  private static final int STEPS = 5;
  private static final double TOLERANCE = 1e-12;

  /** A Keras update rule over plain arrays, with its own state. */
  private interface Rule {
    void step(double[] parameters, double[] gradients);
  }

  /**
   * {@code p -= lr g}; with momentum {@code v = m v - lr g; p += v} or, Nesterov, {@code p += m v -
   * lr g}.
   */
  private static Supplier<Rule> sgd(Supplier<Double> lr, double momentum, boolean nesterov) {
    return () ->
        new Rule() {
          final double[] velocity = new double[SIZE];

          @Override
          public void step(double[] p, double[] g) {
            double rate = lr.get();
            for (int i = 0; i < p.length; i++) {
              if (momentum == 0) {
                p[i] -= rate * g[i];
                continue;
              }
              velocity[i] = momentum * velocity[i] - rate * g[i];
              p[i] += nesterov ? momentum * velocity[i] - rate * g[i] : velocity[i];
            }
          }
        };
  }

  /**
   * {@code m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= lr sqrt(1 - b2^t) / (1 - b1^t) m /
   * (sqrt(v) + eps)}.
   */
  private static Supplier<Rule> adam(
      Supplier<Double> lr, double beta1, double beta2, double epsilon, long startIteration) {
    return () ->
        new Rule() {
          final double[] m = new double[SIZE];
          final double[] v = new double[SIZE];
          long t = startIteration;

          @Override
          public void step(double[] p, double[] g) {
            t++;
            double rate = lr.get() * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t));
            for (int i = 0; i < p.length; i++) {
              m[i] = beta1 * m[i] + (1 - beta1) * g[i];
              v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
              p[i] -= rate * m[i] / (Math.sqrt(v[i]) + epsilon);
            }
          }
        };
  }

  /** {@code a = rho a + (1 - rho) g^2; p -= lr g / (sqrt(a) + eps)}. */
  private static Supplier<Rule> rmsProp(Supplier<Double> lr, double rho, double epsilon) {
    return () ->
        new Rule() {
          final double[] a = new double[SIZE];

          @Override
          public void step(double[] p, double[] g) {
            for (int i = 0; i < p.length; i++) {
              a[i] = rho * a[i] + (1 - rho) * g[i] * g[i];
              p[i] -= lr.get() * g[i] / (Math.sqrt(a[i]) + epsilon);
            }
          }
        };
  }

  /** {@code a += g^2; p -= lr g / (sqrt(a) + eps)}, a starting at the initial accumulator. */
  private static Supplier<Rule> adaGrad(Supplier<Double> lr, double initial, double epsilon) {
    return () ->
        new Rule() {
          final double[] a = filled(initial);

          @Override
          public void step(double[] p, double[] g) {
            for (int i = 0; i < p.length; i++) {
              a[i] += g[i] * g[i];
              p[i] -= lr.get() * g[i] / (Math.sqrt(a[i]) + epsilon);
            }
          }
        };
  }

  private static Supplier<Double> constant(double lr) {
    return () -> lr;
  }

  private static Arguments rule(String name, Supplier<Updater> updater, Supplier<Rule> rule) {
    return Arguments.of(Named.of(name, updater), rule);
  }

  static Stream<Arguments> rulesWithExplicitHyperparameters() {
    // Values far from the defaults, so that a hyperparameter in the wrong slot shows.
    return Stream.of(
        rule("sgd", () -> new Sgd(0.1), sgd(constant(0.1), 0, false)),
        rule("sgd momentum", () -> new Sgd(0.1, 0.6, false), sgd(constant(0.1), 0.6, false)),
        rule("sgd nesterov", () -> new Sgd(0.1, 0.6, true), sgd(constant(0.1), 0.6, true)),
        rule(
            "adam",
            () -> new Adam(0.05, 0.8, 0.95, 1e-3),
            adam(constant(0.05), 0.8, 0.95, 1e-3, 0)),
        rule("rmsprop", () -> new RmsProp(0.05, 0.7, 1e-3), rmsProp(constant(0.05), 0.7, 1e-3)),
        rule("adagrad", () -> new AdaGrad(0.05, 0.3, 1e-3), adaGrad(constant(0.05), 0.3, 1e-3)));
  }

  static Stream<Arguments> rulesWithKerasDefaults() {
    return Stream.of(
        rule("adam", () -> new Adam(0.1), adam(constant(0.1), 0.9, 0.999, 1e-7, 0)),
        rule("rmsprop", () -> new RmsProp(0.1), rmsProp(constant(0.1), 0.9, 1e-7)),
        rule("adagrad", () -> new AdaGrad(0.1), adaGrad(constant(0.1), 0.1, 1e-7)));
  }

  static Stream<Arguments> allUpdaters() {
    return Stream.of(
        Arguments.of("sgd", (Supplier<Updater>) () -> new Sgd(0.1)),
        Arguments.of("sgd momentum", (Supplier<Updater>) () -> new Sgd(0.1, 0.9, false)),
        Arguments.of("sgd nesterov", (Supplier<Updater>) () -> new Sgd(0.1, 0.9, true)),
        Arguments.of("adam", (Supplier<Updater>) () -> new Adam(0.1)),
        Arguments.of("rmsprop", (Supplier<Updater>) () -> new RmsProp(0.1)),
        Arguments.of("adagrad", (Supplier<Updater>) () -> new AdaGrad(0.1)),
        Arguments.of("adamax", (Supplier<Updater>) () -> new Adamax(0.1)),
        Arguments.of("nadam", (Supplier<Updater>) () -> new Nadam(0.1)),
        Arguments.of("lion", (Supplier<Updater>) () -> new Lion(0.1)));
  }

  static Stream<Arguments> statefulUpdaters() {
    return allUpdaters().filter(arguments -> !arguments.get()[0].equals("sgd"));
  }

  static Stream<Named<Function<Double, Updater>>> constructors() {
    return Stream.of(
        Named.of("sgd", Sgd::new),
        Named.of("sgd momentum", lr -> new Sgd(lr, 0.9, false)),
        Named.of("adam", Adam::new),
        Named.of("rmsprop", RmsProp::new),
        Named.of("adagrad", AdaGrad::new),
        Named.of("adamw", AdamW::new),
        Named.of("adamax", Adamax::new),
        Named.of("nadam", Nadam::new),
        Named.of("lion", Lion::new));
  }

  // ---- update rules ----

  @ParameterizedTest
  @MethodSource("rulesWithExplicitHyperparameters")
  void stepsFollowKerasRule(Supplier<Updater> updater, Supplier<Rule> rule) {
    runAgainstRule(updater.get(), rule.get(), null);
  }

  @ParameterizedTest
  @MethodSource("rulesWithKerasDefaults")
  void defaultsAreKerasDefaults(Supplier<Updater> updater, Supplier<Rule> rule) {
    runAgainstRule(updater.get(), rule.get(), null);
  }

  @Test
  void setLearningRateTakesEffectFromTheNextStep() {
    double[] rate = {0.05};
    Supplier<Double> lr = () -> rate[0];
    List<Supplier<Updater>> updaters =
        List.of(
            () -> new Sgd(0.05, 0.6, true), () -> new Adam(0.05, 0.8, 0.95, 1e-3),
            () -> new RmsProp(0.05, 0.7, 1e-3), () -> new AdaGrad(0.05, 0.3, 1e-3));
    List<Supplier<Rule>> rules =
        List.of(
            sgd(lr, 0.6, true),
            adam(lr, 0.8, 0.95, 1e-3, 0),
            rmsProp(lr, 0.7, 1e-3),
            adaGrad(lr, 0.3, 1e-3));
    for (int u = 0; u < updaters.size(); u++) {
      rate[0] = 0.05;
      Updater updater = updaters.get(u).get();
      runAgainstRule(
          updater,
          rules.get(u).get(),
          step -> {
            if (step == 2) {
              updater.setLearningRate(0.2);
              rate[0] = 0.2;
              assertEquals(0.2, updater.learningRate());
            }
          });
    }
  }

  @Test
  void setIterationsContinuesAdamBiasCorrectionFromThatStep() {
    Updater adam = new Adam(0.05, 0.8, 0.95, 1e-3);
    adam.attach(SIZE, DataType.DOUBLE);
    adam.setIterations(3);
    runAgainstRule(adam, adam(constant(0.05), 0.8, 0.95, 1e-3, 3).get(), null);
    assertEquals(3 + STEPS, adam.iterations());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allUpdaters")
  void gradientBufferHoldsTheAppliedUpdateAfterwards(String name, Supplier<Updater> supplier) {
    // Updater.step's contract: "The gradient buffer is consumed: it holds the applied update
    // afterwards", so parameters after = parameters before - gradient buffer after.
    Updater updater = supplier.get();
    updater.attach(SIZE, DataType.DOUBLE);
    INDArray parameters = RandomArrays.uniform(1, SIZE);
    for (int t = 0; t < 3; t++) {
      double[] before = values(parameters);
      INDArray buffer = gradient(t);
      updater.step(parameters, buffer);
      double[] applied = values(parameters);
      for (int i = 0; i < SIZE; i++) {
        applied[i] = before[i] - applied[i];
      }
      assertAllClose(
          applied,
          buffer,
          TOLERANCE,
          name
              + " step "
              + (t + 1)
              + ": gradient buffer after step() vs. the update applied "
              + "(p_before - p_after)");
    }
  }

  @ParameterizedTest
  @MethodSource("rulesWithExplicitHyperparameters")
  void stepsOnViewsAtAnOffsetFollowTheRuleAndTouchNothingElse(
      Supplier<Updater> supplier, Supplier<Rule> rule) {
    // The model's buffers are flat and start at 0, but the update must not assume it.
    Updater updater = supplier.get();
    updater.attach(SIZE, DataType.DOUBLE);
    INDArray parameterBuffer = RandomArrays.uniform(3, SIZE + 9);
    INDArray gradientBuffer = RandomArrays.uniform(4, SIZE + 9);
    INDArray parameters = NdArrays.view(parameterBuffer, 5, SIZE);
    INDArray gradients = NdArrays.view(gradientBuffer, 5, SIZE);
    double[] outsideBefore = outside(parameterBuffer, gradientBuffer);
    double[] expected = values(parameters);
    Rule reference = rule.get();
    for (int t = 0; t < STEPS; t++) {
      gradients.assign(gradient(t));
      reference.step(expected, values(gradient(t)));
      updater.step(parameters, gradients);
      assertAllClose(expected, parameters, TOLERANCE, updater.name() + " after step " + (t + 1));
    }
    assertArrayEquals(outsideBefore, outside(parameterBuffer, gradientBuffer));
  }

  @ParameterizedTest
  @MethodSource("rulesWithExplicitHyperparameters")
  void float32StepsFollowTheRuleToFloatPrecision(Supplier<Updater> supplier, Supplier<Rule> rule) {
    Updater updater = supplier.get();
    updater.attach(SIZE, DataType.FLOAT);
    INDArray parameters = RandomArrays.uniform(1, SIZE).castTo(DataType.FLOAT);
    double[] expected = values(parameters);
    Rule reference = rule.get();
    for (int t = 0; t < STEPS; t++) {
      INDArray g = gradient(t).castTo(DataType.FLOAT);
      reference.step(expected, values(g));
      updater.step(parameters, g);
      assertAllClose(expected, parameters, 1e-6, updater.name() + " after step " + (t + 1));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allUpdaters")
  void zeroGradientAndZeroStateLeaveAValueExactlyAlone(String name, Supplier<Updater> supplier) {
    // How the model keeps frozen layers still: it zeroes their gradients and optimizer state.
    Updater updater = supplier.get();
    updater.attach(SIZE, DataType.DOUBLE);
    updater.stateArrays().forEach(state -> NdArrays.view(state, 2, 3).assign(0));
    INDArray parameters = RandomArrays.uniform(1, SIZE);
    for (int t = 0; t < STEPS; t++) {
      // Compared step by step: Lion's moves all have size lr, so two can cancel exactly.
      double[] before = values(parameters);
      INDArray g = gradient(t);
      NdArrays.view(g, 2, 3).assign(0);
      updater.step(parameters, g);
      double[] after = values(parameters);
      for (int i = 0; i < SIZE; i++) {
        boolean frozen = i >= 2 && i < 5;
        assertEquals(frozen, before[i] == after[i], name + " step " + (t + 1) + " entry " + i);
      }
    }
  }

  // ---- state ----

  @Test
  void stateArraysHaveOnePerKerasSlotOfParameterSizeAndType() {
    assertStates(new Sgd(0.1), 0, 0.0);
    assertStates(new Sgd(0.1, 0.9, false), 1, 0.0);
    assertStates(new Adam(0.1), 2, 0.0);
    assertStates(new RmsProp(0.1), 1, 0.0);
    assertStates(new AdaGrad(0.1), 1, 0.1);
    assertStates(new AdaGrad(0.1, 0.25, 1e-7), 1, 0.25);
    assertStates(new AdamW(0.1), 2, 0.0);
    assertStates(new Adamax(0.1), 2, 0.0);
    assertStates(new Nadam(0.1), 2, 0.0);
    assertStates(new Lion(0.1), 1, 0.0);
  }

  @Test
  void adamStateArraysAreTheSecondAndFirstMomentsAsLiveViews() {
    Updater adam = new Adam(0.05, 0.8, 0.95, 1e-3);
    adam.attach(SIZE, DataType.DOUBLE);
    double[] m = new double[SIZE];
    double[] v = new double[SIZE];
    INDArray parameters = RandomArrays.uniform(1, SIZE);
    for (int t = 0; t < 3; t++) {
      double[] g = values(gradient(t));
      adam.step(parameters, gradient(t));
      for (int i = 0; i < SIZE; i++) {
        m[i] = 0.8 * m[i] + 0.2 * g[i];
        v[i] = 0.95 * v[i] + 0.05 * g[i] * g[i];
      }
    }
    assertAllClose(v, adam.stateArrays().get(0), TOLERANCE, "state 0, second moment");
    assertAllClose(m, adam.stateArrays().get(1), TOLERANCE, "state 1, first moment");
  }

  @Test
  void stateArrayListCannotBeModified() {
    Updater adam = new Adam(0.1);
    adam.attach(SIZE, DataType.DOUBLE);
    assertThrows(UnsupportedOperationException.class, () -> adam.stateArrays().clear());
  }

  @Test
  void iterationsCountStepsAndCannotBeSetNegative() {
    Updater adam = new Adam(0.1);
    adam.attach(SIZE, DataType.DOUBLE);
    assertEquals(0, adam.iterations());
    INDArray parameters = RandomArrays.uniform(1, SIZE);
    for (int t = 0; t < 3; t++) {
      adam.step(parameters, gradient(t));
    }
    assertEquals(3, adam.iterations());
    assertThrows(IllegalArgumentException.class, () -> adam.setIterations(-1));
    assertEquals(3, adam.iterations());
  }

  // ---- attaching ----

  @ParameterizedTest(name = "{0}")
  @MethodSource("allUpdaters")
  void attachingToAnotherSizeThrows(String name, Supplier<Updater> supplier) {
    Updater updater = supplier.get();
    updater.attach(SIZE, DataType.DOUBLE);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> updater.attach(SIZE + 1, DataType.DOUBLE),
            name
                + " ("
                + updater.stateArrays().size()
                + " state arrays) attached to "
                + SIZE
                + " parameters accepted a second model of "
                + (SIZE + 1)
                + "; Updater.attach only remembers the size through its state arrays");
    assertTrue(e.getMessage().contains("another model"), e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("statefulUpdaters")
  void attachingToAnotherDataTypeThrows(String name, Supplier<Updater> supplier) {
    Updater updater = supplier.get();
    updater.attach(SIZE, DataType.DOUBLE);
    assertThrows(IllegalStateException.class, () -> updater.attach(SIZE, DataType.FLOAT));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("statefulUpdaters")
  void attachingAgainToTheSameSizeKeepsState(String name, Supplier<Updater> supplier) {
    Updater updater = supplier.get();
    updater.attach(SIZE, DataType.DOUBLE);
    INDArray parameters = RandomArrays.uniform(1, SIZE);
    updater.step(parameters, gradient(0));
    updater.step(parameters, gradient(1));
    double[][] before = updater.stateArrays().stream().map(a -> values(a)).toArray(double[][]::new);
    updater.attach(SIZE, DataType.DOUBLE);
    assertEquals(before.length, updater.stateArrays().size());
    for (int i = 0; i < before.length; i++) {
      assertArrayEquals(before[i], values(updater.stateArrays().get(i)), "state " + i);
    }
    assertEquals(2, updater.iterations());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("statefulUpdaters")
  void stepBeforeAttachThrows(String name, Supplier<Updater> supplier) {
    Updater updater = supplier.get();
    assertThrows(
        IllegalStateException.class,
        () -> updater.step(RandomArrays.uniform(1, SIZE), gradient(0)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allUpdaters")
  void stepOfAModelWithoutParametersOnlyCounts(String name, Supplier<Updater> supplier) {
    Updater updater = supplier.get();
    updater.attach(0, DataType.DOUBLE);
    INDArray none = NdArrays.zeros(DataType.DOUBLE, 0);
    updater.step(none, NdArrays.zeros(DataType.DOUBLE, 0));
    assertEquals(1, updater.iterations());
  }

  // ---- learning rate ----

  @ParameterizedTest
  @MethodSource("constructors")
  void constructorsRejectLearningRatesThatAreNotPositiveNumbers(Function<Double, Updater> create) {
    for (double bad :
        new double[] {0, -0.1, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      assertThrows(IllegalArgumentException.class, () -> create.apply(bad), "learning rate " + bad);
    }
  }

  @ParameterizedTest
  @MethodSource("constructors")
  void setLearningRateRejectsValuesThatAreNotPositiveNumbersAndKeepsTheOldRate(
      Function<Double, Updater> create) {
    Updater updater = create.apply(0.1);
    for (double bad : new double[] {0, -0.1, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThrows(
          IllegalArgumentException.class, () -> updater.setLearningRate(bad), "rate " + bad);
      assertEquals(0.1, updater.learningRate());
    }
  }

  @ParameterizedTest
  @ValueSource(doubles = {-0.1, 1.0, 1.5, Double.NaN})
  void sgdRejectsMomentumOutsideZeroToOne(double momentum) {
    assertThrows(IllegalArgumentException.class, () -> new Sgd(0.1, momentum, false));
  }

  @Test
  void updatersCreateMatchesOptimizerAndKerasDefaultRates() {
    assertInstanceOf(Sgd.class, Updaters.create(Optimizer.SGD, Double.NaN));
    assertInstanceOf(Adam.class, Updaters.create(Optimizer.ADAM, Double.NaN));
    assertInstanceOf(RmsProp.class, Updaters.create(Optimizer.RMSPROP, Double.NaN));
    assertInstanceOf(AdaGrad.class, Updaters.create(Optimizer.ADAGRAD, Double.NaN));
    assertInstanceOf(AdamW.class, Updaters.create(Optimizer.ADAMW, Double.NaN));
    assertInstanceOf(Adamax.class, Updaters.create(Optimizer.ADAMAX, Double.NaN));
    assertInstanceOf(Nadam.class, Updaters.create(Optimizer.NADAM, Double.NaN));
    assertInstanceOf(Lion.class, Updaters.create(Optimizer.LION, Double.NaN));
    assertEquals(0.01, Updaters.create(Optimizer.SGD, Double.NaN).learningRate());
    assertEquals(0.001, Updaters.create(Optimizer.ADAM, Double.NaN).learningRate());
    assertEquals(0.001, Updaters.create(Optimizer.RMSPROP, Double.NaN).learningRate());
    assertEquals(0.001, Updaters.create(Optimizer.ADAGRAD, Double.NaN).learningRate());
    assertEquals(0.25, Updaters.create(Optimizer.ADAM, 0.25).learningRate());
  }

  // ---- helpers ----

  /** Steps {@code updater} and {@code rule} side by side; {@code beforeStep} may change both. */
  private static void runAgainstRule(Updater updater, Rule rule, IntConsumer beforeStep) {
    updater.attach(SIZE, DataType.DOUBLE);
    long startIterations = updater.iterations();
    INDArray parameters = RandomArrays.uniform(1, SIZE);
    double[] expected = values(parameters);
    for (int t = 0; t < STEPS; t++) {
      if (beforeStep != null) {
        beforeStep.accept(t);
      }
      double[] g = values(gradient(t));
      // step() consumes the gradient buffer, so it gets its own.
      updater.step(parameters, gradient(t));
      rule.step(expected, g);
      assertAllClose(expected, parameters, TOLERANCE, updater.name() + " after step " + (t + 1));
    }
    assertEquals(startIterations + STEPS, updater.iterations());
  }

  /** A different gradient for every step, with entries of different magnitudes. */
  private static INDArray gradient(int step) {
    return RandomArrays.uniform(100 + step, SIZE).muli(1 + step);
  }

  /** The values of two buffers outside positions [5, 5 + SIZE). */
  private static double[] outside(INDArray first, INDArray second) {
    double[] a = values(first);
    double[] b = values(second);
    double[] rest = new double[18];
    for (int i = 0; i < 9; i++) {
      int index = i < 5 ? i : i + SIZE;
      rest[i] = a[index];
      rest[9 + i] = b[index];
    }
    return rest;
  }

  private static void assertStates(Updater updater, int count, double initial) {
    updater.attach(SIZE, DataType.FLOAT);
    List<INDArray> states = updater.stateArrays();
    assertEquals(count, states.size(), updater.name() + " state count");
    for (INDArray state : states) {
      assertEquals(SIZE, state.length(), updater.name() + " state length");
      assertEquals(DataType.FLOAT, state.dataType(), updater.name() + " state type");
      assertAllClose(filled((float) initial), state, 0.0, updater.name() + " initial state");
    }
  }

  private static double[] filled(double value) {
    double[] values = new double[SIZE];
    Arrays.fill(values, value);
    return values;
  }
}
