package dev.kiln.runtime.callbacks;

import dev.kiln.runtime.Callback;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Keras' {@code ModelCheckpoint}: saves the model after every epoch through {@link
 * dev.kiln.runtime.KilnModel#save}, parameters and optimizer state, so {@code load} resumes
 * training or reproduces predictions. The path may name the epoch and any logged value, as in
 * Keras: {@code Path.of("checkpoints/model-{epoch:02d}-{val_loss:.3f}.kiln")}.
 *
 * <p>With {@link #saveBestOnly}, it saves only when the monitored value improves on the best so
 * far; a path without placeholders then always holds the best model. Every setter returns a
 * changed copy.
 */
public final class ModelCheckpoint implements Callback {

  private final FilePattern path;
  private String monitor = "val_loss";
  private Mode mode = Mode.AUTO;
  private boolean saveBestOnly;
  private boolean verbose;

  private Training training;
  private Monitor watched;
  private double best;

  /** Saves after every epoch to {@code path}, with {@code {epoch}} and the logs filled in. */
  public ModelCheckpoint(Path path) {
    this.path = new FilePattern(path);
  }

  private ModelCheckpoint(FilePattern path) {
    this.path = path;
  }

  /** The value {@link #saveBestOnly} compares, as the history names it. */
  public ModelCheckpoint monitor(String name) {
    ModelCheckpoint copy = copy();
    copy.monitor = Monitor.requireName("ModelCheckpoint", name);
    return copy;
  }

  public ModelCheckpoint mode(Mode mode) {
    if (mode == null) {
      throw new IllegalArgumentException("ModelCheckpoint's mode is null; use Mode.AUTO");
    }
    ModelCheckpoint copy = copy();
    copy.mode = mode;
    return copy;
  }

  /** Whether to save only epochs whose monitored value beats every earlier one. */
  public ModelCheckpoint saveBestOnly(boolean saveBestOnly) {
    ModelCheckpoint copy = copy();
    copy.saveBestOnly = saveBestOnly;
    return copy;
  }

  /** Whether to say what it saves, and why not. */
  public ModelCheckpoint verbose(boolean verbose) {
    ModelCheckpoint copy = copy();
    copy.verbose = verbose;
    return copy;
  }

  @Override
  public void onTrainBegin(Training training) {
    this.training = training;
    this.watched = saveBestOnly ? new Monitor("ModelCheckpoint", monitor, mode) : null;
    this.best = Double.NaN;
  }

  @Override
  public void onEpochEnd(int epoch, Map<String, Double> logs) {
    Path file = path.format(epoch, logs);
    if (!saveBestOnly) {
      if (verbose) {
        training.log("Epoch " + epoch + ": saving model to " + file);
      }
      save(file);
      return;
    }
    double current = watched.value(logs);
    if (watched.improves(current, best, 0)) {
      if (verbose) {
        training.log("Epoch " + epoch + ": " + monitor + " improved from "
            + (Double.isNaN(best) ? "nothing" : PythonFormat.repr(best)) + " to "
            + PythonFormat.repr(current) + ", saving model to " + file);
      }
      best = current;
      save(file);
    } else if (verbose) {
      training.log("Epoch " + epoch + ": " + monitor + " did not improve from "
          + PythonFormat.repr(best));
    }
  }

  private void save(Path file) {
    try {
      training.model().save(file);
    } catch (IOException e) {
      throw new UncheckedIOException("ModelCheckpoint could not save to " + file, e);
    }
  }

  private ModelCheckpoint copy() {
    ModelCheckpoint copy = new ModelCheckpoint(path);
    copy.monitor = monitor;
    copy.mode = mode;
    copy.saveBestOnly = saveBestOnly;
    copy.verbose = verbose;
    return copy;
  }
}
