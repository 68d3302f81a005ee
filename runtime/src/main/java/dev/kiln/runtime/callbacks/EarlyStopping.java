package dev.kiln.runtime.callbacks;

import dev.kiln.runtime.Callback;
import dev.kiln.runtime.History;
import dev.kiln.runtime.NdArrays;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' {@code EarlyStopping}: stops training when a monitored value has stopped improving.
 * With Keras' defaults, {@code new EarlyStopping()} watches {@code val_loss} and stops after the
 * first epoch that does not improve on the best; typical use:
 *
 * <pre>{@code
 * model.fit(data, FitOptions.epochs(100).validationSplit(0.2)
 *     .callbacks(new EarlyStopping().patience(5).restoreBestWeights(true)));
 * }</pre>
 *
 * <p>Every setter returns a changed copy. One instance may serve several fits; each starts
 * afresh.
 */
public final class EarlyStopping implements Callback {

  private String monitor = "val_loss";
  private double minDelta = 0;
  private int patience = 0;
  private Mode mode = Mode.AUTO;
  private double baseline = Double.NaN;
  private boolean restoreBestWeights;
  private boolean verbose;

  private Training training;
  private Monitor watched;
  private int wait;
  private double best;
  private int bestEpoch;
  private int stoppedEpoch;
  private INDArray bestWeights;

  /** Keras' defaults: {@code val_loss}, no minimum change, no patience, mode from the name. */
  public EarlyStopping() {}

  /** The value to watch, as the history names it ({@code val_loss}, {@code val_accuracy}). */
  public EarlyStopping monitor(String name) {
    EarlyStopping copy = copy();
    copy.monitor = Monitor.requireName("EarlyStopping", name);
    return copy;
  }

  /** The smallest change that counts as an improvement. */
  public EarlyStopping minDelta(double minDelta) {
    if (!(minDelta >= 0) || Double.isInfinite(minDelta)) {
      throw new IllegalArgumentException(
          "EarlyStopping's minDelta must be finite and >= 0, got " + minDelta);
    }
    EarlyStopping copy = copy();
    copy.minDelta = minDelta;
    return copy;
  }

  /** Epochs without improvement after which training stops. */
  public EarlyStopping patience(int epochs) {
    if (epochs < 0) {
      throw new IllegalArgumentException("EarlyStopping's patience must be >= 0, got " + epochs);
    }
    EarlyStopping copy = copy();
    copy.patience = epochs;
    return copy;
  }

  public EarlyStopping mode(Mode mode) {
    if (mode == null) {
      throw new IllegalArgumentException("EarlyStopping's mode is null; use Mode.AUTO");
    }
    EarlyStopping copy = copy();
    copy.mode = mode;
    return copy;
  }

  /**
   * Keras' {@code baseline}: only an improvement that also beats it restarts the patience count,
   * so training stops at the first epoch without improvement once {@code patience} epochs have
   * passed without beating it.
   */
  public EarlyStopping baseline(double baseline) {
    if (!Double.isFinite(baseline)) {
      throw new IllegalArgumentException(
          "EarlyStopping's baseline must be finite, got " + baseline);
    }
    EarlyStopping copy = copy();
    copy.baseline = baseline;
    return copy;
  }

  /**
   * Whether training ends with the parameters of the best epoch, restored bit for bit (Keras 3
   * restores them whether or not training stopped early). The optimizer's state stays as it is,
   * as in Keras.
   */
  public EarlyStopping restoreBestWeights(boolean restore) {
    EarlyStopping copy = copy();
    copy.restoreBestWeights = restore;
    return copy;
  }

  /** Whether to say when it stops and restores. */
  public EarlyStopping verbose(boolean verbose) {
    EarlyStopping copy = copy();
    copy.verbose = verbose;
    return copy;
  }

  @Override
  public void onTrainBegin(Training training) {
    this.training = training;
    this.watched = new Monitor("EarlyStopping", monitor, mode);
    wait = 0;
    best = Double.NaN;
    bestEpoch = 0;
    stoppedEpoch = 0;
    bestWeights = null;
  }

  @Override
  public void onEpochEnd(int epoch, Map<String, Double> logs) {
    double current = watched.value(logs);
    if (restoreBestWeights && bestWeights == null) {
      // Until something improves, the first epoch's weights are the best there are.
      keepWeights(epoch);
    }
    wait++;
    if (watched.improves(current, best, minDelta)) {
      best = current;
      bestEpoch = epoch;
      if (restoreBestWeights) {
        keepWeights(epoch);
      }
      if (Double.isNaN(baseline) || watched.improves(current, baseline, minDelta)) {
        wait = 0;
      }
      return;
    }
    if (wait >= patience && epoch > 1) {
      stoppedEpoch = epoch;
      training.stop();
    }
  }

  @Override
  public void onTrainEnd(History history) {
    if (stoppedEpoch > 0 && verbose) {
      training.log("Epoch " + stoppedEpoch + ": early stopping");
    }
    if (restoreBestWeights && bestWeights != null) {
      if (verbose) {
        training.log("Restoring model weights from the end of the best epoch: " + bestEpoch + ".");
      }
      training.model().parameters().assign(bestWeights);
    }
  }

  /** The epoch training stopped after; 0 if it ran to the end. */
  public int stoppedEpoch() {
    return stoppedEpoch;
  }

  /** The epoch with the best monitored value so far; 0 before the first. */
  public int bestEpoch() {
    return bestEpoch;
  }

  private void keepWeights(int epoch) {
    INDArray parameters = training.model().parameters();
    if (bestWeights == null) {
      bestWeights = NdArrays.copy(parameters);
    } else {
      bestWeights.assign(parameters);
    }
    bestEpoch = epoch;
  }

  private EarlyStopping copy() {
    EarlyStopping copy = new EarlyStopping();
    copy.monitor = monitor;
    copy.minDelta = minDelta;
    copy.patience = patience;
    copy.mode = mode;
    copy.baseline = baseline;
    copy.restoreBestWeights = restoreBestWeights;
    copy.verbose = verbose;
    return copy;
  }
}
