package dev.kiln.runtime;

import dev.kiln.runtime.optim.OptimizerSpec;
import dev.kiln.runtime.optim.schedules.LearningRateSchedule;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

/**
 * How {@code fit} trains, with Keras' defaults: batches of 32, shuffled every epoch. Immutable;
 * every setter returns a changed copy: {@code FitOptions.epochs(5).batchSize(64)}.
 *
 * <p>When {@code fit} reads a DL4J iterator, the iterator decides the batches and their order:
 * {@link #batchSize} and {@link #validationSplit} are errors there, {@link #shuffle} and {@link
 * #seed} have no effect.
 */
public final class FitOptions {

  private int epochs = 1;
  private int batchSize = 32;
  private boolean batchSizeGiven;
  private boolean shuffle = true;
  private long seed = 0;
  private double validationSplit = 0;
  private Validation.Source validation;
  private Map<Integer, Double> classWeights = Map.of();
  private double learningRate = Double.NaN;
  private LearningRateSchedule schedule;
  private OptimizerSpec optimizer;
  private Verbosity verbosity = Verbosity.AUTO;
  private PrintStream out = System.out;
  private List<Callback> callbacks = List.of();

  private FitOptions() {}

  /** Options for {@code epochs} passes over the data. */
  public static FitOptions epochs(int epochs) {
    return new FitOptions().withEpochs(epochs);
  }

  public FitOptions withEpochs(int epochs) {
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
    }
    FitOptions copy = copy();
    copy.epochs = epochs;
    return copy;
  }

  /** Samples per training step. */
  public FitOptions batchSize(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    }
    FitOptions copy = copy();
    copy.batchSize = batchSize;
    copy.batchSizeGiven = true;
    return copy;
  }

  /** Whether to visit samples in a new random order every epoch. */
  public FitOptions shuffle(boolean shuffle) {
    FitOptions copy = copy();
    copy.shuffle = shuffle;
    return copy;
  }

  /** The seed of the shuffling order, so that runs repeat. */
  public FitOptions seed(long seed) {
    FitOptions copy = copy();
    copy.seed = seed;
    return copy;
  }

  /** Holds out the last {@code fraction} of the samples (before shuffling) for validation. */
  public FitOptions validationSplit(double fraction) {
    if (!(fraction >= 0 && fraction < 1)) {
      throw new IllegalArgumentException("validation split must be in [0, 1), got " + fraction);
    }
    FitOptions copy = copy();
    copy.validationSplit = fraction;
    return copy;
  }

  /** Scores the model on {@code data} after every epoch; takes precedence over a split. */
  public FitOptions validationData(ModelData data) {
    return withValidation(Validation.Source.of(data));
  }

  /** Validation data in a DL4J DataSet, for a model of one input and one output. */
  public FitOptions validationData(DataSet data) {
    return withValidation(Validation.Source.of(data));
  }

  /** Validation data in a DL4J MultiDataSet: features and labels in declaration order. */
  public FitOptions validationData(MultiDataSet data) {
    return withValidation(Validation.Source.of(data));
  }

  /**
   * Scores the model on one pass of {@code data} after every epoch; with more than one epoch the
   * iterator must support {@code reset()}.
   */
  public FitOptions validationData(DataSetIterator data) {
    return withValidation(Validation.Source.of(data));
  }

  /** As {@link #validationData(DataSetIterator)}, for models of several inputs or outputs. */
  public FitOptions validationData(MultiDataSetIterator data) {
    return withValidation(Validation.Source.of(data));
  }

  /**
   * Keras' {@code class_weight}: scales each training sample's loss (its value and its gradient)
   * by the weight of its true class, so that a weight of 2 counts a sample as if it were there
   * twice. Classes without a weight keep 1. Validation scores and metrics are not weighted, as in
   * Keras.
   *
   * <p>For a model with one output that classifies one class per sample: categorical
   * cross-entropy (the class is the target's largest entry), sparse categorical cross-entropy
   * (the class index) or binary cross-entropy on one unit (classes 0 and 1). {@code fit} rejects
   * class weights for other models, as Keras does for several outputs; use {@link
   * KilnModel#setLossWeight} to weigh whole outputs.
   */
  public FitOptions classWeights(Map<Integer, Double> weights) {
    if (weights == null) {
      throw new IllegalArgumentException("class weights are null; pass Map.of() for none");
    }
    Map<Integer, Double> checked = new TreeMap<>();
    weights.forEach((label, weight) -> {
      if (label == null || label < 0) {
        throw new IllegalArgumentException(
            "class weights are keyed by class index, 0 or more, not " + label);
      }
      if (weight == null || !(weight >= 0) || weight.isInfinite()) {
        throw new IllegalArgumentException(
            "the weight of class " + label + " must be finite and >= 0, got " + weight);
      }
      checked.put(label, weight);
    });
    FitOptions copy = copy();
    copy.classWeights = Collections.unmodifiableMap(checked);
    return copy;
  }

  /** Class weights by class index: {@code classWeights(1, 5)} weighs class 1 five times. */
  public FitOptions classWeights(double... weights) {
    Map<Integer, Double> map = new TreeMap<>();
    for (int label = 0; label < weights.length; label++) {
      map.put(label, weights[label]);
    }
    return classWeights(map);
  }

  /**
   * Sets the updater's learning rate when {@code fit} starts; it stays after, as if set with
   * {@code model.updater().setLearningRate}. Callbacks may change it from there.
   */
  public FitOptions learningRate(double rate) {
    if (!(rate > 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException("learning rate must be a positive number, got " + rate);
    }
    if (schedule != null) {
      throw new IllegalArgumentException(
          "a schedule is set; a fixed learning rate " + rate + " contradicts it, drop one of them");
    }
    FitOptions copy = copy();
    copy.learningRate = rate;
    return copy;
  }

  /**
   * Lets {@code schedule} set the learning rate of every step from {@code fit}'s start on, keeping
   * the updater's state; it stays after {@code fit}, as if set with {@code
   * model.updater().setSchedule}. Excludes {@link #learningRate} and the learning-rate callbacks.
   */
  public FitOptions schedule(LearningRateSchedule schedule) {
    if (schedule == null) {
      throw new IllegalArgumentException("schedule is null; leave it out for the updater's rate");
    }
    if (!Double.isNaN(learningRate)) {
      throw new IllegalArgumentException(
          "learningRate(" + learningRate + ") is set; a schedule replaces it, drop one of them");
    }
    FitOptions copy = copy();
    copy.schedule = schedule;
    return copy;
  }

  /**
   * Trains with a new updater of {@code optimizer} (Keras: compiling again with another
   * optimizer): its state starts empty when {@code fit} starts, and it stays the model's after.
   * {@link #learningRate} and {@link #schedule}, if given, apply on top of it.
   */
  public FitOptions optimizer(OptimizerSpec optimizer) {
    if (optimizer == null) {
      throw new IllegalArgumentException("optimizer is null; leave it out for the model's own");
    }
    FitOptions copy = copy();
    copy.optimizer = optimizer;
    return copy;
  }

  public FitOptions verbosity(Verbosity verbosity) {
    FitOptions copy = copy();
    copy.verbosity = verbosity;
    return copy;
  }

  /** Where progress is printed; standard output by default. */
  public FitOptions printTo(PrintStream out) {
    FitOptions copy = copy();
    copy.out = out;
    return copy;
  }

  /** Adds callbacks, called in the order given. */
  public FitOptions callbacks(Callback... callbacks) {
    FitOptions copy = copy();
    List<Callback> all = new ArrayList<>(this.callbacks);
    all.addAll(List.of(callbacks));
    copy.callbacks = List.copyOf(all);
    return copy;
  }

  public int epochs() {
    return epochs;
  }

  public int batchSize() {
    return batchSize;
  }

  public boolean shuffle() {
    return shuffle;
  }

  public long seed() {
    return seed;
  }

  public double validationSplit() {
    return validationSplit;
  }

  /** Whether validation data was given (a split is not validation data). */
  public boolean hasValidationData() {
    return validation != null;
  }

  Validation.Source validation() {
    return validation;
  }

  /** Whether {@link #batchSize} was called, which an iterator's own batches contradict. */
  boolean batchSizeGiven() {
    return batchSizeGiven;
  }

  /** The class weights by class index; empty when samples are not weighted. */
  public Map<Integer, Double> classWeights() {
    return classWeights;
  }

  /** The learning rate {@code fit} sets; empty to keep the updater's. */
  public OptionalDouble learningRate() {
    return Double.isNaN(learningRate) ? OptionalDouble.empty() : OptionalDouble.of(learningRate);
  }

  /** The schedule {@code fit} sets, or null to keep the updater's. */
  public LearningRateSchedule schedule() {
    return schedule;
  }

  /** The optimizer {@code fit} trains with, or null for the model's updater. */
  public OptimizerSpec optimizer() {
    return optimizer;
  }

  public Verbosity verbosity() {
    return verbosity;
  }

  public PrintStream out() {
    return out;
  }

  public List<Callback> callbacks() {
    return callbacks;
  }

  private FitOptions withValidation(Validation.Source source) {
    FitOptions copy = copy();
    copy.validation = source;
    return copy;
  }

  private FitOptions copy() {
    FitOptions copy = new FitOptions();
    copy.epochs = epochs;
    copy.batchSize = batchSize;
    copy.batchSizeGiven = batchSizeGiven;
    copy.shuffle = shuffle;
    copy.seed = seed;
    copy.validationSplit = validationSplit;
    copy.validation = validation;
    copy.classWeights = classWeights;
    copy.learningRate = learningRate;
    copy.schedule = schedule;
    copy.optimizer = optimizer;
    copy.verbosity = verbosity;
    copy.out = out;
    copy.callbacks = callbacks;
    return copy;
  }
}
