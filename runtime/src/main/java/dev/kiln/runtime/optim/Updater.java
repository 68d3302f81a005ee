package dev.kiln.runtime.optim;

import dev.kiln.runtime.Elements;
import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.SecondThread;
import dev.kiln.runtime.kernels.VectorApi;
import dev.kiln.runtime.optim.schedules.LearningRateSchedule;
import java.util.ArrayList;
import java.util.Arrays;
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
 *
 * <p>Every rule takes Keras' optimizer-wide options: a {@link LearningRateSchedule} evaluated at
 * each step, decoupled weight decay ({@code p -= lr wd p}), and {@link GradientClipping}. Decay and
 * clipping are fused into the rule's pass through the {@link Span}s it loops over; only norm
 * clipping needs a read pass first, for the norms.
 */
public abstract class Updater {

  private double learningRate;
  private LearningRateSchedule schedule;
  private double weightDecay;
  private boolean decayBiasesAndNorms = true;
  private GradientClipping clipping = GradientClipping.NONE;
  private long iterations;
  private final List<INDArray> state = new ArrayList<>();
  private Elements[] stateElements = new Elements[0];
  private Elements parameterElements;
  private Elements gradientElements;
  private long attachedSize = -1;
  private DataType attachedType;
  private List<ParameterRegion> regions = List.of();
  private double[] regionScales = new double[0];
  private final Span span = new Span();
  private final Span secondSpan = new Span();

  /** Buffers at least this long are updated in two halves at once ({@link SecondThread}). */
  static final long SPLIT_LENGTH = 1 << 18;

  /** Whether long buffers take two threads; tests turn it off to compare. */
  boolean twoThreads = SecondThread.ENABLED;

  /** Whether float32 rules may run in Vector API lanes; tests turn it off to compare. */
  boolean lanes = VectorApi.ENABLED;

  protected Updater(double learningRate) {
    this.learningRate = checkedRate(learningRate);
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
      Elements p = elementsOf(parameters, true);
      Elements g = elementsOf(gradients, false);
      double rate = currentLearningRate();
      beginStep(iterations, rate);
      computeScales(g);
      double clamp = clipping.kind() == GradientClipping.Kind.CLIP_VALUE
          ? clipping.limit()
          : Double.POSITIVE_INFINITY;
      double keepDecayed = 1 - rate * weightDecay;
      long length = parameters.length();
      if (length >= SPLIT_LENGTH && twoThreads) {
        // The pass is memory-bound: two cores each take half the buffer, whatever its regions.
        long middle = length / 2 / 64 * 64; // both halves start on a whole vector
        SecondThread.run(
            () -> updateRange(p, g, middle, length, secondSpan, clamp, keepDecayed),
            () -> updateRange(p, g, 0, middle, span, clamp, keepDecayed));
      } else {
        updateRange(p, g, 0, length, span, clamp, keepDecayed);
      }
    }
    iterations++;
  }

  /**
   * Updates the parameters in {@code [from, to)}, region by region, each with its own gradient
   * scale and decay, through {@code span}.
   */
  private void updateRange(Elements p, Elements g, long from, long to, Span span, double clamp,
      double keepDecayed) {
    span.clamp = clamp;
    for (int r = 0; r < regions.size(); r++) {
      ParameterRegion region = regions.get(r);
      long start = Math.max(from, region.offset());
      long end = Math.min(to, region.offset() + region.length());
      if (start >= end) {
        continue;
      }
      span.from = start;
      span.to = end;
      span.gradientScale = regionScales[r];
      span.keep = decays(region.role()) ? keepDecayed : 1;
      update(p, g, span);
    }
  }

  private boolean decays(ParameterRegion.Role role) {
    return weightDecay != 0
        && (role == ParameterRegion.Role.WEIGHT
            || role == ParameterRegion.Role.BIAS_OR_NORMALIZATION && decayBiasesAndNorms);
  }

  /** The gradient scale of each region: 1, or what norm clipping makes of it. */
  private void computeScales(Elements g) {
    Arrays.fill(regionScales, 1.0);
    GradientClipping.Kind kind = clipping.kind();
    if (kind != GradientClipping.Kind.CLIP_NORM && kind != GradientClipping.Kind.GLOBAL_CLIP_NORM) {
      return;
    }
    double limit = clipping.limit();
    double total = 0;
    for (int r = 0; r < regions.size(); r++) {
      ParameterRegion region = regions.get(r);
      double squares = 0;
      for (long i = region.offset(), end = i + region.length(); i < end; i++) {
        double value = g.get(i);
        squares += value * value;
      }
      total += squares;
      regionScales[r] = limit / Math.max(Math.sqrt(squares), limit);
    }
    if (kind == GradientClipping.Kind.GLOBAL_CLIP_NORM) {
      Arrays.fill(regionScales, limit / Math.max(Math.sqrt(total), limit));
    }
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

  /** The values of the optimizer's state (Adam: two per parameter); 0 before it is attached. */
  public final long stateValues() {
    return attachedSize < 0 ? 0 : (long) stateCount() * attachedSize;
  }

  /**
   * Allocates the state for {@code size} parameters, once; called by the model. Until the model
   * describes its arrays with {@link #describeParameters}, the buffer is one trainable weight.
   */
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
    // The lanes address float buffers by int byte offsets.
    lanes &= size <= Integer.MAX_VALUE / Float.BYTES;
    stateElements = new Elements[stateCount()];
    for (int i = 0; i < stateCount(); i++) {
      INDArray array = NdArrays.zeros(dataType, size);
      array.assign(initialStateValue(i));
      state.add(array);
      stateElements[i] = Elements.of(array);
    }
    describeParameters(List.of(new ParameterRegion(0, size, ParameterRegion.Role.WEIGHT)));
  }

  /**
   * The model's parameter arrays, in buffer order and covering it: per-array clipping works on
   * them, and weight decay leaves out the untrained ones (and biases and normalization weights
   * when told to). The model calls this again when it freezes or unfreezes a layer.
   */
  public final void describeParameters(List<ParameterRegion> regions) {
    long next = 0;
    for (ParameterRegion region : regions) {
      if (region.offset() != next) {
        throw new IllegalArgumentException(
            "parameter regions must cover the buffer in order; expected offset " + next
                + ", got " + region.offset());
      }
      next += region.length();
    }
    if (attachedSize >= 0 && next != attachedSize) {
      throw new IllegalArgumentException(
          "parameter regions cover " + next + " values, the buffer has " + attachedSize);
    }
    this.regions = List.copyOf(regions);
    this.regionScales = new double[regions.size()];
  }

  /** Prepares a step: the per-step factors of the rule (bias corrections). */
  protected void beginStep(long iteration, double learningRate) {}

  /**
   * The update of one step over {@code span}'s parameters, {@code iteration} counting from 0:
   * reads each gradient with {@link Span#gradient} and moves each parameter with {@link
   * Span#move}, which applies weight decay and leaves the applied change in the gradient buffer.
   */
  protected abstract void update(Elements parameters, Elements gradients, Span span);

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

  /**
   * The fixed learning rate; with a schedule, the rate the schedule replaces (checkpoints keep
   * it). {@link #currentLearningRate} is the one the next step uses.
   */
  public final double learningRate() {
    return learningRate;
  }

  /** The rate of the next step: the schedule's at the current step, or the fixed rate. */
  public final double currentLearningRate() {
    return schedule == null ? learningRate : schedule.rate(iterations);
  }

  /**
   * Changes the fixed learning rate from the next step on (callbacks). With a schedule set, the
   * schedule keeps deciding; the learning-rate callbacks refuse to run with one.
   */
  public final void setLearningRate(double learningRate) {
    this.learningRate = checkedRate(learningRate);
  }

  /** The learning-rate schedule, or null for the fixed rate. */
  public final LearningRateSchedule schedule() {
    return schedule;
  }

  /**
   * Lets {@code schedule} decide each step's learning rate from the step count (Keras passes a
   * schedule as {@code learning_rate}); null returns to the fixed rate. Returns this updater.
   */
  public final Updater setSchedule(LearningRateSchedule schedule) {
    this.schedule = schedule;
    return this;
  }

  /** The decoupled weight decay; 0 for none. */
  public final double weightDecay() {
    return weightDecay;
  }

  /**
   * Keras' {@code weight_decay}: before each update, {@code p -= lr * weightDecay * p} for every
   * trained parameter; with {@code decayBiasesAndNorms} false, one-dimensional arrays (biases,
   * normalization scales and offsets) are left out, as is common for AdamW. Returns this updater.
   */
  public final Updater setWeightDecay(double weightDecay, boolean decayBiasesAndNorms) {
    if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
      throw new IllegalArgumentException(
          "weight decay must be a finite number >= 0, got " + weightDecay);
    }
    this.weightDecay = weightDecay;
    this.decayBiasesAndNorms = decayBiasesAndNorms;
    return this;
  }

  /** Whether weight decay applies to biases and normalization weights too. */
  public final boolean decaysBiasesAndNorms() {
    return decayBiasesAndNorms;
  }

  public final GradientClipping clipping() {
    return clipping;
  }

  /** Clips the gradients before each update; {@link GradientClipping#NONE} for none. */
  public final Updater setClipping(GradientClipping clipping) {
    if (clipping == null) {
      throw new IllegalArgumentException("clipping is null; use GradientClipping.NONE for none");
    }
    this.clipping = clipping;
    return this;
  }

  /** A short name for checkpoints and messages, such as {@code adam}. */
  public abstract String name();

  private static double checkedRate(double learningRate) {
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      throw new IllegalArgumentException(
          "learning rate must be a positive number, got " + learningRate);
    }
    return learningRate;
  }
}
