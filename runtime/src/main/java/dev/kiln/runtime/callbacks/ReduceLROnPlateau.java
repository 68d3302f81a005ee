package dev.kiln.runtime.callbacks;

import dev.kiln.runtime.Callback;
import dev.kiln.runtime.optim.Updater;
import java.util.Map;

/**
 * Keras' {@code ReduceLROnPlateau}: multiplies the learning rate by {@code factor} when a
 * monitored value has not improved by more than {@code minDelta} for {@code patience} epochs,
 * never below {@code minLr}; after a reduction it waits {@code cooldown} epochs before counting
 * again. Records the rate as {@code learning_rate} in the epoch's logs. Keras' defaults: {@code
 * val_loss}, factor 0.1, patience 10, minDelta 1e-4, no cooldown, minLr 0. Every setter returns
 * a changed copy.
 */
public final class ReduceLROnPlateau implements Callback {

  private String monitor = "val_loss";
  private double factor = 0.1;
  private int patience = 10;
  private Mode mode = Mode.AUTO;
  private double minDelta = 1e-4;
  private int cooldown = 0;
  private double minLr = 0;
  private boolean verbose;

  private Training training;
  private Monitor watched;
  private double best;
  private int wait;
  private int cooldownLeft;

  public ReduceLROnPlateau() {}

  public ReduceLROnPlateau monitor(String name) {
    ReduceLROnPlateau copy = copy();
    copy.monitor = Monitor.requireName("ReduceLROnPlateau", name);
    return copy;
  }

  /** What the rate is multiplied by, in (0, 1). */
  public ReduceLROnPlateau factor(double factor) {
    if (!(factor > 0 && factor < 1)) {
      throw new IllegalArgumentException(
          "ReduceLROnPlateau's factor must be in (0, 1), got " + factor);
    }
    ReduceLROnPlateau copy = copy();
    copy.factor = factor;
    return copy;
  }

  /** Epochs without improvement before the rate is reduced. */
  public ReduceLROnPlateau patience(int epochs) {
    if (epochs < 0) {
      throw new IllegalArgumentException(
          "ReduceLROnPlateau's patience must be >= 0, got " + epochs);
    }
    ReduceLROnPlateau copy = copy();
    copy.patience = epochs;
    return copy;
  }

  public ReduceLROnPlateau mode(Mode mode) {
    if (mode == null) {
      throw new IllegalArgumentException("ReduceLROnPlateau's mode is null; use Mode.AUTO");
    }
    ReduceLROnPlateau copy = copy();
    copy.mode = mode;
    return copy;
  }

  /** The smallest change that counts as an improvement. */
  public ReduceLROnPlateau minDelta(double minDelta) {
    if (!(minDelta >= 0) || Double.isInfinite(minDelta)) {
      throw new IllegalArgumentException(
          "ReduceLROnPlateau's minDelta must be finite and >= 0, got " + minDelta);
    }
    ReduceLROnPlateau copy = copy();
    copy.minDelta = minDelta;
    return copy;
  }

  /** Epochs after a reduction during which no waiting is counted. */
  public ReduceLROnPlateau cooldown(int epochs) {
    if (epochs < 0) {
      throw new IllegalArgumentException(
          "ReduceLROnPlateau's cooldown must be >= 0, got " + epochs);
    }
    ReduceLROnPlateau copy = copy();
    copy.cooldown = epochs;
    return copy;
  }

  /** The rate it never reduces below. */
  public ReduceLROnPlateau minLr(double minLr) {
    if (!(minLr >= 0) || Double.isInfinite(minLr)) {
      throw new IllegalArgumentException(
          "ReduceLROnPlateau's minLr must be finite and >= 0, got " + minLr);
    }
    ReduceLROnPlateau copy = copy();
    copy.minLr = minLr;
    return copy;
  }

  /** Whether to say when it reduces the rate. */
  public ReduceLROnPlateau verbose(boolean verbose) {
    ReduceLROnPlateau copy = copy();
    copy.verbose = verbose;
    return copy;
  }

  @Override
  public void onTrainBegin(Training training) {
    if (training.updater().schedule() != null) {
      throw new IllegalStateException(
          "ReduceLROnPlateau changes the learning rate, but the updater's rate follows the schedule "
              + training.updater().schedule() + "; drop one of them");
    }
    this.training = training;
    this.watched = new Monitor("ReduceLROnPlateau", monitor, mode);
    best = Double.NaN;
    wait = 0;
    cooldownLeft = 0;
  }

  @Override
  public void onEpochEnd(int epoch, Map<String, Double> logs) {
    Updater updater = training.updater();
    logs.put("learning_rate", updater.learningRate());
    double current = watched.value(logs);
    if (cooldownLeft > 0) {
      cooldownLeft--;
      wait = 0;
    }
    if (watched.improves(current, best, minDelta)) {
      best = current;
      wait = 0;
    } else if (cooldownLeft == 0) {
      wait++;
      if (wait >= patience && updater.learningRate() > minLr) {
        double rate = Math.max(updater.learningRate() * factor, minLr);
        updater.setLearningRate(rate);
        if (verbose) {
          training.log("Epoch " + epoch + ": ReduceLROnPlateau reducing learning rate to "
              + PythonFormat.repr(rate) + ".");
        }
        cooldownLeft = cooldown;
        wait = 0;
      }
    }
  }

  private ReduceLROnPlateau copy() {
    ReduceLROnPlateau copy = new ReduceLROnPlateau();
    copy.monitor = monitor;
    copy.factor = factor;
    copy.patience = patience;
    copy.mode = mode;
    copy.minDelta = minDelta;
    copy.cooldown = cooldown;
    copy.minLr = minLr;
    copy.verbose = verbose;
    return copy;
  }
}
