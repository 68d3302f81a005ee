package dev.kiln.spark;

import dev.kiln.Metric;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.OutputSpec;
import dev.kiln.runtime.metrics.Metrics;
import dev.kiln.runtime.metrics.Ratio;
import java.util.LinkedHashMap;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A share's loss and metrics under Keras' names ({@code loss}, {@code accuracy}; with several
 * outputs also {@code out1_loss}, {@code out1_accuracy}), as sums of numerators and denominators,
 * so that the shares of a step add up to the whole batch's values exactly as {@code fit}'s
 * running means count them.
 */
final class StepLogs {

  private StepLogs() {}

  /** The logs of the pass {@code model} has just run on {@code samples} samples. */
  static LinkedHashMap<String, double[]> of(
      KilnModel model, double loss, long samples, INDArray[] targets) {
    LinkedHashMap<String, double[]> logs = new LinkedHashMap<>();
    logs.put("loss", new double[] {loss * samples, samples});
    List<OutputSpec> outputs = model.spec().outputs();
    boolean prefixed = outputs.size() > 1;
    if (prefixed) {
      double[] outputLosses = model.lastOutputLosses();
      for (int i = 0; i < outputs.size(); i++) {
        logs.put(outputs.get(i).name() + "_loss",
            new double[] {outputLosses[i] * samples, samples});
      }
    }
    for (int i = 0; i < outputs.size(); i++) {
      OutputSpec output = outputs.get(i);
      INDArray prediction = model.outputOfLastPass(i);
      for (Metric metric : output.metrics()) {
        var function = Metrics.forOutput(metric, output);
        Ratio ratio = function.of(prediction, targets[i]);
        String name = prefixed ? output.name() + "_" + function.name() : function.name();
        logs.put(name, new double[] {ratio.numerator(), ratio.denominator()});
      }
    }
    return logs;
  }
}
