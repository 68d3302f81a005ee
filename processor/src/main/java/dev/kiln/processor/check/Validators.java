package dev.kiln.processor.check;

import dev.kiln.processor.graph.LayerGraph;
import dev.kiln.processor.shape.Network;

/**
 * The validators, one per concern, in the order their diagnostics are printed. Each reads the
 * model as far as it is sound and reports on its own, so one compile shows every independent
 * mistake.
 */
public final class Validators {

  private Validators() {}

  /** What can be checked before shapes: names, connections, attributes, losses and metrics. */
  public static Report declarations(LayerGraph graph) {
    return Report.of(
        ReferenceValidator.validate(graph),
        ArityValidator.validate(graph),
        CycleValidator.validate(graph),
        AttributeValidator.validate(graph),
        SharingValidator.validate(graph),
        DTypeValidator.validate(graph),
        LossValidator.validate(graph),
        MetricValidator.validate(graph),
        OptimizerValidator.validate(graph.model()),
        OutputValidator.validate(graph));
  }

  /** What needs shapes, on the layers that have them. */
  public static Report network(Network network) {
    return Report.of(
        SharingValidator.validate(network),
        FrozenValidator.validate(network),
        RegularizerValidator.validate(network),
        LossValidator.validate(network),
        VariableAxisValidator.validate(network),
        MaskValidator.validate(network),
        GeneratedCodeLimits.validate(network));
  }
}
