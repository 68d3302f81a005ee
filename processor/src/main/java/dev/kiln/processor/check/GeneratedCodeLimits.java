package dev.kiln.processor.check;

import dev.kiln.processor.shape.Network;
import java.util.Locale;

/**
 * Checks that the generated class can compile and run: the JVM allows a method at most 255
 * parameter slots, {@code this} included, and the model class takes one parameter per input and
 * output in {@code trainStep} and its {@code Data} record, and one per input, with two more, in
 * its forward pass. Past these sizes javac would fail on generated code the user never wrote.
 * (Layers have no such limit: per-layer values travel in arrays and fields.) And the runtime
 * keeps all parameters in one flat buffer that its update loops index with an {@code int}.
 */
final class GeneratedCodeLimits {

  /** Parameters an instance method or constructor can take. */
  static final int MAX_PARAMETERS = 254;

  /** Parameter values the runtime's flat buffer can index. */
  static final long MAX_PARAMETER_VALUES = Integer.MAX_VALUE;

  private GeneratedCodeLimits() {}

  static Report validate(Network network) {
    Report.Builder report = Report.about(network.model().type());
    int inputs = network.inputs().size();
    int outputs = network.outputs().size();
    String problem = null;
    if (inputs + 2 > MAX_PARAMETERS || inputs + outputs > MAX_PARAMETERS) {
      problem = "has " + inputs + " inputs and " + outputs + " outputs, but the generated class"
          + " takes one array per input and output in trainStep and its forward pass, and the"
          + " JVM allows a method " + MAX_PARAMETERS + " parameters; use at most "
          + (MAX_PARAMETERS - 2) + " inputs and " + MAX_PARAMETERS + " inputs and outputs"
          + " together, joining inputs with @Concatenate if need be";
    }
    long values = parameterValues(network);
    if (values > MAX_PARAMETER_VALUES) {
      problem = String.format(Locale.ROOT, "has %,d parameters (%,d MB in float32, before"
          + " gradients and optimizer state), but the runtime keeps them in one buffer indexed"
          + " by an int, at most %,d values; use fewer or smaller layers", values,
          Math.multiplyExact(values, 4) / 1_000_000, MAX_PARAMETER_VALUES);
    }
    if (problem != null) {
      report.error(Tag.TOO_LARGE, network.model().name() + " " + problem,
          network.model().attributes().site());
    }
    return report.build();
  }

  /** The total parameter count; no layer holds more than an int's range, so no long overflows. */
  private static long parameterValues(Network network) {
    long values = 0;
    for (var node : network.nodes()) {
      values = Math.addExact(values, node.paramCount());
    }
    return values;
  }
}
