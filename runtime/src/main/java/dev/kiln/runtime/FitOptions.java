package dev.kiln.runtime;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * How {@code fit} trains, with Keras' defaults: batches of 32, shuffled every epoch. Immutable;
 * every setter returns a changed copy: {@code FitOptions.epochs(5).batchSize(64)}.
 */
public final class FitOptions {

  private int epochs = 1;
  private int batchSize = 32;
  private boolean shuffle = true;
  private long seed = 0;
  private double validationSplit = 0;
  private ModelData validationData;
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
    FitOptions copy = copy();
    copy.validationData = data;
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

  public ModelData validationData() {
    return validationData;
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

  private FitOptions copy() {
    FitOptions copy = new FitOptions();
    copy.epochs = epochs;
    copy.batchSize = batchSize;
    copy.shuffle = shuffle;
    copy.seed = seed;
    copy.validationSplit = validationSplit;
    copy.validationData = validationData;
    copy.verbosity = verbosity;
    copy.out = out;
    copy.callbacks = callbacks;
    return copy;
  }
}
