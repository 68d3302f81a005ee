package dev.kiln.runtime.optim;

import static dev.kiln.runtime.testing.PlainArrays.assertAllClose;
import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.Optimizer;
import dev.kiln.runtime.optim.ParameterRegion.Role;
import dev.kiln.runtime.optim.schedules.CosineDecay;
import dev.kiln.runtime.optim.schedules.ExponentialDecay;
import dev.kiln.runtime.optim.schedules.PiecewiseConstantDecay;
import dev.kiln.runtime.optim.schedules.PolynomialDecay;
import dev.kiln.runtime.optim.schedules.LearningRateSchedule;
import dev.kiln.runtime.testing.RandomArrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * AdamW, Adamax, Nadam and Lion, weight decay, gradient clipping and schedules inside the update,
 * each against Keras' documented rule written out here over plain arrays, from the first step
 * (bias corrections) on.
 */
class KerasOptimizerRulesTest {

  private static final int SIZE = 9;
  private static final int STEPS = 6;
  private static final double TOLERANCE = 1e-12;

  /** The buffer as a model describes it: a 2x3 kernel, a bias of 2, a moving statistic of 1. */
  private static final List<ParameterRegion> LAYOUT = List.of(
      new ParameterRegion(0, 6, Role.WEIGHT),
      new ParameterRegion(6, 2, Role.BIAS_OR_NORMALIZATION),
      new ParameterRegion(8, 1, Role.UNTRAINED));

  /** A Keras rule over plain arrays; {@code t} counts from 1. */
  private interface Rule {
    void step(double[] p, double[] g, long t);
  }

  private static Rule adam(double lr, double b1, double b2, double eps) {
    return adam(t -> lr, b1, b2, eps);
  }

  /** Adam at the rate {@code lr} gives step {@code t} (from 1). */
  private static Rule adam(java.util.function.LongToDoubleFunction lr, double b1, double b2,
      double eps) {
    double[] m = new double[SIZE];
    double[] v = new double[SIZE];
    return (p, g, t) -> {
      double alpha = lr.applyAsDouble(t) * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
      for (int i = 0; i < SIZE; i++) {
        m[i] += (g[i] - m[i]) * (1 - b1);
        v[i] += (g[i] * g[i] - v[i]) * (1 - b2);
        p[i] -= alpha * m[i] / (Math.sqrt(v[i]) + eps);
      }
    };
  }

  /** Keras' optimizer-wide decay, {@code p -= p * wd * lr} on the chosen entries, then the rule. */
  private static Rule decayed(double lr, double wd, boolean[] decays, Rule rule) {
    return (p, g, t) -> {
      for (int i = 0; i < SIZE; i++) {
        if (decays[i]) {
          p[i] -= p[i] * wd * lr;
        }
      }
      rule.step(p, g, t);
    };
  }

  private static Rule adamax(double lr, double b1, double b2, double eps) {
    double[] m = new double[SIZE];
    double[] u = new double[SIZE];
    return (p, g, t) -> {
      for (int i = 0; i < SIZE; i++) {
        m[i] += (g[i] - m[i]) * (1 - b1);
        u[i] = Math.max(b2 * u[i], Math.abs(g[i]));
        p[i] -= lr * m[i] / ((1 - Math.pow(b1, t)) * (u[i] + eps));
      }
    };
  }

  /** Keras 3's Nadam, its product of momentum factors kept as Keras keeps {@code _u_product}. */
  private static Rule nadam(double lr, double b1, double b2, double eps) {
    double[] m = new double[SIZE];
    double[] v = new double[SIZE];
    double[] uProduct = {1.0};
    return (p, g, t) -> {
      double uT = b1 * (1 - 0.5 * Math.pow(0.96, t));
      double uNext = b1 * (1 - 0.5 * Math.pow(0.96, t + 1));
      uProduct[0] *= uT;
      double productT = uProduct[0];
      double productNext = productT * uNext;
      for (int i = 0; i < SIZE; i++) {
        m[i] += (g[i] - m[i]) * (1 - b1);
        v[i] += (g[i] * g[i] - v[i]) * (1 - b2);
        double mHat = uNext * m[i] / (1 - productNext) + (1 - uT) * g[i] / (1 - productT);
        double vHat = v[i] / (1 - Math.pow(b2, t));
        p[i] -= mHat * lr / (Math.sqrt(vHat) + eps);
      }
    };
  }

  private static Rule lion(double lr, double b1, double b2) {
    double[] m = new double[SIZE];
    return (p, g, t) -> {
      for (int i = 0; i < SIZE; i++) {
        p[i] -= lr * Math.signum(m[i] * b1 + g[i] * (1 - b1));
        m[i] = m[i] * b2 + g[i] * (1 - b2);
      }
    };
  }

  private static Rule sgd(LearningRateSchedule rate) {
    return (p, g, t) -> {
      for (int i = 0; i < SIZE; i++) {
        p[i] -= rate.rate(t - 1) * g[i];
      }
    };
  }

  /** Keras' clipnorm: each variable's gradient times {@code c / max(||g||, c)}. */
  private static Rule clippedByNorm(double limit, Rule rule) {
    return (p, g, t) -> {
      double[] clipped = g.clone();
      for (ParameterRegion region : LAYOUT) {
        double squares = 0;
        for (long i = region.offset(); i < region.offset() + region.length(); i++) {
          squares += g[(int) i] * g[(int) i];
        }
        double scale = limit / Math.max(Math.sqrt(squares), limit);
        for (long i = region.offset(); i < region.offset() + region.length(); i++) {
          clipped[(int) i] = g[(int) i] * scale;
        }
      }
      rule.step(p, clipped, t);
    };
  }

  private static Rule clippedByGlobalNorm(double limit, Rule rule) {
    return (p, g, t) -> {
      double squares = 0;
      for (double value : g) {
        squares += value * value;
      }
      double scale = limit / Math.max(Math.sqrt(squares), limit);
      double[] clipped = g.clone();
      for (int i = 0; i < SIZE; i++) {
        clipped[i] *= scale;
      }
      rule.step(p, clipped, t);
    };
  }

  private static Rule clippedByValue(double limit, Rule rule) {
    return (p, g, t) -> {
      double[] clipped = g.clone();
      for (int i = 0; i < SIZE; i++) {
        clipped[i] = Math.max(-limit, Math.min(limit, g[i]));
      }
      rule.step(p, clipped, t);
    };
  }

  private static final boolean[] ALL = {true, true, true, true, true, true, true, true, true};
  private static final boolean[] TRAINED = {true, true, true, true, true, true, true, true, false};
  private static final boolean[] WEIGHTS = {true, true, true, true, true, true, false, false, false};

  private static Arguments alone(String name, Supplier<Updater> updater, Supplier<Rule> rule) {
    return Arguments.of(Named.of(name, updater), rule, false);
  }

  private static Arguments inModel(String name, Supplier<Updater> updater, Supplier<Rule> rule) {
    return Arguments.of(Named.of(name, updater), rule, true);
  }

  static Stream<Arguments> rules() {
    // Hyperparameters away from the defaults, so that one in the wrong slot shows.
    return Stream.of(
        alone("adamw defaults", () -> new AdamW(0.05),
            () -> decayed(0.05, 0.004, ALL, adam(0.05, 0.9, 0.999, 1e-7))),
        alone("adamw", () -> new AdamW(0.05, 0.3, true, 0.8, 0.95, 1e-3),
            () -> decayed(0.05, 0.3, ALL, adam(0.05, 0.8, 0.95, 1e-3))),
        inModel("adamw in a model decays trained arrays", () -> new AdamW(0.05, 0.3, true),
            () -> decayed(0.05, 0.3, TRAINED, adam(0.05, 0.9, 0.999, 1e-7))),
        inModel("adamw excluding biases and norms", () -> new AdamW(0.05, 0.3, false),
            () -> decayed(0.05, 0.3, WEIGHTS, adam(0.05, 0.9, 0.999, 1e-7))),
        alone("adamax defaults", () -> new Adamax(0.05), () -> adamax(0.05, 0.9, 0.999, 1e-7)),
        alone("adamax", () -> new Adamax(0.05, 0.8, 0.95, 1e-3), () -> adamax(0.05, 0.8, 0.95, 1e-3)),
        alone("nadam defaults", () -> new Nadam(0.05), () -> nadam(0.05, 0.9, 0.999, 1e-7)),
        alone("nadam", () -> new Nadam(0.05, 0.8, 0.95, 1e-3), () -> nadam(0.05, 0.8, 0.95, 1e-3)),
        alone("lion defaults", () -> new Lion(0.05), () -> lion(0.05, 0.9, 0.99)),
        alone("lion", () -> new Lion(0.05, 0.7, 0.8), () -> lion(0.05, 0.7, 0.8)),
        inModel("lion with decay", () -> new Lion(0.05, 0.7, 0.8).setWeightDecay(0.2, false),
            () -> decayed(0.05, 0.2, WEIGHTS, lion(0.05, 0.7, 0.8))),
        inModel("adam clipNorm per array",
            () -> new Adam(0.05).setClipping(GradientClipping.clipNorm(0.7)),
            () -> clippedByNorm(0.7, adam(0.05, 0.9, 0.999, 1e-7))),
        inModel("adam globalClipNorm",
            () -> new Adam(0.05).setClipping(GradientClipping.globalClipNorm(1.5)),
            () -> clippedByGlobalNorm(1.5, adam(0.05, 0.9, 0.999, 1e-7))),
        alone("sgd clipValue",
            () -> new Sgd(0.05).setClipping(GradientClipping.clipValue(0.4)),
            () -> clippedByValue(0.4, sgd(step -> 0.05))),
        // Keras' schedules are called with the number of earlier steps: t - 1 at step t.
        alone("adam on a stepped exponential decay, past its first stair",
            () -> new Adam(0.05).setSchedule(new ExponentialDecay(0.05, 2, 0.5, true)),
            () -> adam(t -> 0.05 * Math.pow(0.5, Math.floor((t - 1) / 2.0)), 0.9, 0.999, 1e-7)),
        alone("adam on piecewise constant rates, across both boundaries",
            () -> new Adam(0.05).setSchedule(
                new PiecewiseConstantDecay(new long[] {2, 4}, new double[] {0.05, 0.02, 0.01})),
            () -> adam(t -> t - 1 <= 2 ? 0.05 : t - 1 <= 4 ? 0.02 : 0.01, 0.9, 0.999, 1e-7)),
        alone("sgd on a polynomial decay that ends within the steps",
            () -> new Sgd(0.05).setSchedule(new PolynomialDecay(0.05, 4, 0.01, 2, false)),
            () -> sgd(step -> 0.04 * Math.pow(1 - Math.min(step, 4) / 4.0, 2) + 0.01)),
        alone("sgd on a warm-up and cosine schedule",
            () -> new Sgd(0.05).setSchedule(CosineDecay.withWarmup(0.0, 2, 0.1, 3, 0.1)),
            () -> sgd(CosineDecay.withWarmup(0.0, 2, 0.1, 3, 0.1))),
        alone("adamw on a schedule decays by the scheduled rate",
            () -> new AdamW(1, 0.3, true).setSchedule(step -> 0.01 * (step + 1)),
            () -> {
              Rule adam = adam(1, 0.9, 0.999, 1e-7);
              return (p, g, t) -> {
                double lr = 0.01 * t;
                for (int i = 0; i < SIZE; i++) {
                  p[i] -= p[i] * 0.3 * lr;
                }
                // Adam's own step at the scheduled rate: scale its move from a rate of 1
                double[] before = p.clone();
                adam.step(p, g, t);
                for (int i = 0; i < SIZE; i++) {
                  p[i] = before[i] + (p[i] - before[i]) * lr;
                }
              };
            }));
  }

  @ParameterizedTest
  @MethodSource("rules")
  void stepsFollowKerasRule(Supplier<Updater> supplier, Supplier<Rule> rule, boolean inModel) {
    assertStepsFollow(supplier.get(), rule.get(), inModel, DataType.DOUBLE, TOLERANCE);
  }

  @ParameterizedTest
  @MethodSource("rules")
  void float32StepsFollowKerasRuleToFloatPrecision(
      Supplier<Updater> supplier, Supplier<Rule> rule, boolean inModel) {
    // Float buffers take the rules' float arithmetic where they have one (Adam's).
    assertStepsFollow(supplier.get(), rule.get(), inModel, DataType.FLOAT, 2e-6);
  }

  private static void assertStepsFollow(
      Updater updater, Rule reference, boolean inModel, DataType type, double tolerance) {
    updater.attach(SIZE, type);
    if (inModel) {
      updater.describeParameters(LAYOUT);
    }
    INDArray parameters = RandomArrays.uniform(1, SIZE).castTo(type);
    double[] expected = values(parameters);
    for (int t = 1; t <= STEPS; t++) {
      INDArray g = gradient(t, inModel).castTo(type);
      double[] plain = values(g);
      double[] before = values(parameters);
      updater.step(parameters, g);
      reference.step(expected, plain, t);
      assertAllClose(expected, parameters, tolerance, updater.name() + " after step " + t);
      double[] applied = values(parameters);
      for (int i = 0; i < SIZE; i++) {
        applied[i] = before[i] - applied[i];
      }
      assertAllClose(applied, g, tolerance, updater.name() + " applied update, step " + t);
    }
  }

  @Test
  void nadamRestoredFromItsStateAndStepCountContinuesExactly() {
    // Keras keeps Nadam's product of momentum factors as a variable; Kiln recomputes it from
    // the step count, which is all a checkpoint restores.
    Updater first = new Nadam(0.05, 0.8, 0.95, 1e-3);
    first.attach(SIZE, DataType.DOUBLE);
    INDArray parameters = RandomArrays.uniform(1, SIZE);
    for (int t = 1; t <= 3; t++) {
      first.step(parameters, gradient(t, false));
    }
    Updater restored = new Nadam(0.05, 0.8, 0.95, 1e-3);
    restored.attach(SIZE, DataType.DOUBLE);
    for (int i = 0; i < first.stateArrays().size(); i++) {
      restored.stateArrays().get(i).assign(first.stateArrays().get(i));
    }
    restored.setIterations(first.iterations());
    INDArray copy = parameters.dup();
    for (int t = 4; t <= STEPS; t++) {
      first.step(parameters, gradient(t, false));
      restored.step(copy, gradient(t, false));
    }
    assertAllClose(values(parameters), copy, 0.0, "restored Nadam vs. uninterrupted");
  }

  @Test
  void optimizerSpecCreatesEachOptimizerWithKerasDefaults() {
    assertEquals("adamw", OptimizerSpec.of(Optimizer.ADAMW).create().name());
    assertEquals(0.004, OptimizerSpec.of(Optimizer.ADAMW).create().weightDecay());
    assertEquals(0.0, OptimizerSpec.of(Optimizer.ADAM).create().weightDecay());
    assertEquals("adamax", OptimizerSpec.of(Optimizer.ADAMAX).create().name());
    assertEquals("nadam", OptimizerSpec.of(Optimizer.NADAM).create().name());
    assertEquals("lion", OptimizerSpec.of(Optimizer.LION).create().name());
    Updater sgd = OptimizerSpec.of(Optimizer.SGD).momentum(0.9, true).clipNorm(2).create();
    assertEquals(0.01, sgd.learningRate());
    sgd.attach(SIZE, DataType.DOUBLE);
    assertEquals(1, sgd.stateArrays().size(), "momentum keeps a velocity");
    assertEquals(GradientClipping.clipNorm(2), sgd.clipping());
  }

  @Test
  void optimizerSpecRefusesMismatchesWithMessagesNamingThem() {
    IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
        () -> OptimizerSpec.of(Optimizer.ADAM).learningRate(0.1).schedule(step -> 0.1));
    assertEquals(true, both.getMessage().contains("schedule"), both.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> OptimizerSpec.of(Optimizer.ADAM).momentum(0.9, false));
    assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipNorm(0));
    assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipValue(-1));
    assertThrows(IllegalArgumentException.class, () -> GradientClipping.globalClipNorm(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> new Adam(0.1).setWeightDecay(-1, true));
  }

  @Test
  void regionsMustCoverTheBufferInOrder() {
    Updater adam = new Adam(0.1);
    adam.attach(SIZE, DataType.DOUBLE);
    assertThrows(IllegalArgumentException.class,
        () -> adam.describeParameters(List.of(new ParameterRegion(0, 4, Role.WEIGHT))));
    assertThrows(IllegalArgumentException.class, () -> adam.describeParameters(List.of(
        new ParameterRegion(0, 4, Role.WEIGHT), new ParameterRegion(5, 4, Role.WEIGHT))));
  }

  /**
   * A different gradient every step, large enough that clipping bites; in a model, the untrained
   * entry's gradient is zero, as the generated backward pass leaves it.
   */
  private static INDArray gradient(int step, boolean inModel) {
    INDArray g = RandomArrays.uniform(200 + step, SIZE).subi(0.5).muli(2 * step);
    if (inModel) {
      g.putScalar(SIZE - 1, 0.0);
    }
    return g;
  }
}
