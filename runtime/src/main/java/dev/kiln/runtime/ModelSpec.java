package dev.kiln.runtime;

import dev.kiln.Optimizer;
import dev.kiln.runtime.optim.OptimizerSpec;
import java.util.List;

/**
 * What the runtime needs to know of a generated model's architecture: its inputs, outputs and
 * parameters, the training defaults, and the texts the processor rendered at build time.
 *
 * @param name the model interface's simple name
 * @param fingerprint a digest of the architecture; checkpoints record it
 * @param inputs in declaration order
 * @param outputs in declaration order
 * @param parameters in the order of the flat parameter buffer
 * @param optimizer the default optimizer and its options (learning rate or schedule, decay,
 *     clipping)
 * @param frozenLayers the layers declared {@code @Frozen}: out of the optimizer's reach at first
 * @param layers every layer in execution (and summary) order, for pictures of the graph
 * @param summaryTable the summary's layer table, without the totals
 * @param dot the graph in Graphviz DOT
 * @param applications the applications of blocks at the top of the model, in order
 */
public record ModelSpec(
    String name,
    String fingerprint,
    List<InputSpec> inputs,
    List<OutputSpec> outputs,
    List<ParameterSpec> parameters,
    OptimizerSpec optimizer,
    List<String> frozenLayers,
    List<LayerSpec> layers,
    String summaryTable,
    String dot,
    List<ApplicationSpec> applications) {

  public ModelSpec {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    parameters = List.copyOf(parameters);
    frozenLayers = List.copyOf(frozenLayers);
    layers = List.copyOf(layers);
    applications = List.copyOf(applications);
  }

  /** A model that applies no block. */
  public ModelSpec(
      String name,
      String fingerprint,
      List<InputSpec> inputs,
      List<OutputSpec> outputs,
      List<ParameterSpec> parameters,
      OptimizerSpec optimizer,
      List<String> frozenLayers,
      List<LayerSpec> layers,
      String summaryTable,
      String dot) {
    this(name, fingerprint, inputs, outputs, parameters, optimizer, frozenLayers, layers,
        summaryTable, dot, List.of());
  }

  /** A model whose optimizer has no options beyond its learning rate ({@code NaN}: default). */
  public ModelSpec(
      String name,
      String fingerprint,
      List<InputSpec> inputs,
      List<OutputSpec> outputs,
      List<ParameterSpec> parameters,
      Optimizer optimizer,
      double learningRate,
      List<String> frozenLayers,
      List<LayerSpec> layers,
      String summaryTable,
      String dot) {
    this(name, fingerprint, inputs, outputs, parameters,
        OptimizerSpec.of(optimizer).learningRate(learningRate), frozenLayers, layers, summaryTable,
        dot);
  }

  /** A model without frozen layers. */
  public ModelSpec(
      String name,
      String fingerprint,
      List<InputSpec> inputs,
      List<OutputSpec> outputs,
      List<ParameterSpec> parameters,
      Optimizer optimizer,
      double learningRate,
      String summaryTable,
      String dot) {
    this(name, fingerprint, inputs, outputs, parameters, optimizer, learningRate, List.of(),
        List.of(), summaryTable, dot);
  }

  /** The total number of parameter values. */
  public long parameterCount() {
    long count = 0;
    for (ParameterSpec parameter : parameters) {
      count += parameter.length();
    }
    return count;
  }

  /** The number of parameter values the optimizer trains. */
  public long trainableCount() {
    long count = 0;
    for (ParameterSpec parameter : parameters) {
      count += parameter.trainable() ? parameter.length() : 0;
    }
    return count;
  }
}
