package dev.kiln.spark;

import dev.kiln.runtime.Callback;
import dev.kiln.runtime.ModelData;
import dev.kiln.runtime.Verbosity;
import java.io.PrintStream;
import java.util.List;
import java.util.OptionalDouble;
import org.apache.spark.api.java.JavaRDD;

/**
 * The options of a distributed {@code fit}, as {@code FitOptions} reads for one machine:
 * {@code SparkFitOptions.epochs(10).batchSize(256).validationData(test)}. The batch size is the
 * global batch: each step's batch is split over the partitions that hold its samples.
 */
public final class SparkFitOptions {

  private int epochs = 1;
  private int initialEpoch;
  private int batchSize = 32;
  private boolean shuffle = true;
  private long seed;
  private ModelData validation;
  private JavaRDD<Sample> validationSamples;
  private List<Callback> callbacks = List.of();
  private Verbosity verbosity = Verbosity.AUTO;
  private PrintStream out = System.out;
  private OptionalDouble learningRate = OptionalDouble.empty();
  private int averageEvery;
  private int treeDepth = 2;
  private GradientExchange gradientExchange = GradientExchange.TREE_AGGREGATE;
  private long failFirstAttemptOfStep = -1;
  private long loseSliceBlocksOfStep = -1;

  private SparkFitOptions() {}

  public static SparkFitOptions epochs(int epochs) {
    return new SparkFitOptions().withEpochs(epochs);
  }

  public SparkFitOptions withEpochs(int epochs) {
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
    }
    SparkFitOptions copy = copy();
    copy.epochs = epochs;
    return copy;
  }

  /**
   * The epochs already trained (Keras' {@code initial_epoch}): training runs epochs {@code
   * initialEpoch + 1} to {@code epochs}, with the same epoch orders and dropout seeds as an
   * uninterrupted run. With a model restored from the driver's last checkpoint ({@code load}:
   * parameters and optimizer state), a restarted driver resumes where it stopped.
   */
  public SparkFitOptions initialEpoch(int epochs) {
    if (epochs < 0) {
      throw new IllegalArgumentException("initialEpoch must be >= 0, got " + epochs);
    }
    SparkFitOptions copy = copy();
    copy.initialEpoch = epochs;
    return copy;
  }

  /** The global batch size: samples per step over all workers together (default 32). */
  public SparkFitOptions batchSize(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    }
    SparkFitOptions copy = copy();
    copy.batchSize = batchSize;
    return copy;
  }

  /** Whether each epoch visits the samples in a new random order (default true). */
  public SparkFitOptions shuffle(boolean shuffle) {
    SparkFitOptions copy = copy();
    copy.shuffle = shuffle;
    return copy;
  }

  /** The seed of the epochs' orders and of the dropout masks of every step (default 0). */
  public SparkFitOptions seed(long seed) {
    SparkFitOptions copy = copy();
    copy.seed = seed;
    return copy;
  }

  /** Validation data held by the driver, scored there after every epoch. */
  public SparkFitOptions validationData(ModelData data) {
    if (data == null) {
      throw new IllegalArgumentException("validation data is null");
    }
    SparkFitOptions copy = copy();
    copy.validation = data;
    copy.validationSamples = null;
    return copy;
  }

  /** Validation samples on the cluster, scored by the workers after every epoch. */
  public SparkFitOptions validationData(JavaRDD<Sample> samples) {
    if (samples == null) {
      throw new IllegalArgumentException("validation samples are null");
    }
    SparkFitOptions copy = copy();
    copy.validationSamples = samples;
    copy.validation = null;
    return copy;
  }

  /** Callbacks, run on the driver: checkpoints they write are the driver's files. */
  public SparkFitOptions callbacks(Callback... callbacks) {
    SparkFitOptions copy = copy();
    copy.callbacks = List.of(callbacks);
    return copy;
  }

  public SparkFitOptions verbosity(Verbosity verbosity) {
    SparkFitOptions copy = copy();
    copy.verbosity = verbosity;
    return copy;
  }

  public SparkFitOptions printTo(PrintStream out) {
    SparkFitOptions copy = copy();
    copy.out = out;
    return copy;
  }

  /** Sets the optimizer's learning rate before the first step. */
  public SparkFitOptions learningRate(double rate) {
    SparkFitOptions copy = copy();
    copy.learningRate = OptionalDouble.of(rate);
    return copy;
  }

  /**
   * Local SGD: every worker takes {@code steps} optimizer steps on its shares of that many global
   * batches with its own copy of the parameters and optimizer state, then the parameters and the
   * optimizer state are averaged, weighted by samples (DL4J's parameter averaging). 0, the
   * default, is synchronous data parallelism: one update of the whole batch's gradient per step,
   * the same step as one machine takes.
   */
  public SparkFitOptions averageEvery(int steps) {
    if (steps < 0) {
      throw new IllegalArgumentException(
          "averageEvery must be 0 (synchronous) or a number of steps, got " + steps);
    }
    SparkFitOptions copy = copy();
    copy.averageEvery = steps;
    return copy;
  }

  /** The depth of the tree that sums the workers' gradients (Spark's treeAggregate; default 2). */
  public SparkFitOptions treeDepth(int depth) {
    if (depth < 1) {
      throw new IllegalArgumentException("tree depth must be at least 1, got " + depth);
    }
    SparkFitOptions copy = copy();
    copy.treeDepth = depth;
    return copy;
  }

  /**
   * How a synchronous step sums the workers' gradients: {@link GradientExchange#TREE_AGGREGATE}
   * (the default) or {@link GradientExchange#ALL_REDUCE}. Local SGD always averages with the
   * tree.
   */
  public SparkFitOptions gradientExchange(GradientExchange exchange) {
    if (exchange == null) {
      throw new IllegalArgumentException(
          "gradient exchange is null; use GradientExchange.TREE_AGGREGATE or ALL_REDUCE");
    }
    SparkFitOptions copy = copy();
    copy.gradientExchange = exchange;
    return copy;
  }

  /**
   * For fault tests of the all-reduce: the gradient slices of step {@code step} (from 1) are
   * removed before they are summed, as if their executor had been lost.
   */
  SparkFitOptions loseSliceBlocksOfStep(long step) {
    SparkFitOptions copy = copy();
    copy.loseSliceBlocksOfStep = step;
    return copy;
  }

  /** For fault tests: the first attempt of every task of step {@code step} (from 1) throws. */
  SparkFitOptions failFirstAttemptOfStep(long step) {
    SparkFitOptions copy = copy();
    copy.failFirstAttemptOfStep = step;
    return copy;
  }

  public int epochs() {
    return epochs;
  }

  public int initialEpoch() {
    return initialEpoch;
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

  ModelData validation() {
    return validation;
  }

  JavaRDD<Sample> validationSamples() {
    return validationSamples;
  }

  public List<Callback> callbacks() {
    return callbacks;
  }

  public Verbosity verbosity() {
    return verbosity;
  }

  public PrintStream out() {
    return out;
  }

  public OptionalDouble learningRate() {
    return learningRate;
  }

  public int averageEvery() {
    return averageEvery;
  }

  public int treeDepth() {
    return treeDepth;
  }

  public GradientExchange gradientExchange() {
    return gradientExchange;
  }

  long failFirstAttemptOfStep() {
    return failFirstAttemptOfStep;
  }

  long loseSliceBlocksOfStep() {
    return loseSliceBlocksOfStep;
  }

  private SparkFitOptions copy() {
    SparkFitOptions copy = new SparkFitOptions();
    copy.epochs = epochs;
    copy.initialEpoch = initialEpoch;
    copy.batchSize = batchSize;
    copy.shuffle = shuffle;
    copy.seed = seed;
    copy.validation = validation;
    copy.validationSamples = validationSamples;
    copy.callbacks = callbacks;
    copy.verbosity = verbosity;
    copy.out = out;
    copy.learningRate = learningRate;
    copy.averageEvery = averageEvery;
    copy.treeDepth = treeDepth;
    copy.gradientExchange = gradientExchange;
    copy.failFirstAttemptOfStep = failFirstAttemptOfStep;
    copy.loseSliceBlocksOfStep = loseSliceBlocksOfStep;
    return copy;
  }
}
