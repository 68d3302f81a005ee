package dev.kiln.runtime;

import dev.kiln.Metric;
import dev.kiln.runtime.metrics.MetricFunction;
import dev.kiln.runtime.metrics.Metrics;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Records the loss and metrics of a batch under Keras' names: {@code loss} and {@code accuracy}
 * for one output; {@code loss}, {@code out1_loss}, {@code out1_accuracy}, ... for several.
 */
final class BatchLogs {

  private final KilnModel model;
  private final List<List<MetricFunction>> metrics = new ArrayList<>();
  private final boolean prefixed;

  BatchLogs(KilnModel model) {
    this.model = model;
    this.prefixed = model.outputs().size() > 1;
    for (OutputSpec output : model.outputs()) {
      List<MetricFunction> functions = new ArrayList<>();
      for (Metric metric : output.metrics()) {
        functions.add(Metrics.forOutput(metric, output));
      }
      metrics.add(functions);
    }
  }

  /** Adds a batch whose forward pass and loss the model has just computed. */
  void record(RunningMeans means, double loss, INDArray[] targets) {
    long samples = targets[0].size(0);
    means.add("loss", loss, samples);
    double[] outputLosses = model.lastOutputLosses();
    if (prefixed) {
      for (int i = 0; i < outputLosses.length; i++) {
        means.add(model.outputs().get(i).name() + "_loss", outputLosses[i], samples);
      }
    }
    for (int i = 0; i < metrics.size(); i++) {
      INDArray prediction = model.lastOutput(i);
      for (MetricFunction metric : metrics.get(i)) {
        String name = prefixed ? model.outputs().get(i).name() + "_" + metric.name() : metric.name();
        means.add(name, metric, prediction, targets[i]);
      }
    }
  }
}
