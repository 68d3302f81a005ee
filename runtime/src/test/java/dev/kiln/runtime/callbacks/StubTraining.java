package dev.kiln.runtime.callbacks;

import dev.kiln.runtime.Callback;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.optim.Sgd;
import dev.kiln.runtime.optim.Updater;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training run without a model, for callbacks that only read logs and change the updater:
 * epochs are driven by hand with scripted values.
 */
final class StubTraining implements Callback.Training {

  final Updater updater = new Sgd(0.1);
  final List<String> messages = new ArrayList<>();
  boolean stopped;

  @Override
  public KilnModel model() {
    throw new UnsupportedOperationException("no model in this test");
  }

  @Override
  public Updater updater() {
    return updater;
  }

  @Override
  public void stop() {
    stopped = true;
  }

  @Override
  public void log(String message) {
    messages.add(message);
  }

  /** Logs with one value, modifiable as fit's are. */
  static Map<String, Double> logs(String name, double value) {
    Map<String, Double> logs = new LinkedHashMap<>();
    logs.put(name, value);
    return logs;
  }
}
