package dev.kiln.processor.emit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.kiln.Optimizer;
import dev.kiln.processor.parse.Attributes;
import dev.kiln.processor.parse.ModelDecl;
import dev.kiln.processor.training.ScheduleKinds;

/**
 * The model's default optimizer as the generated code builds it: {@code
 * OptimizerSpec.of(Optimizer.ADAMW).schedule(...).clipNorm(1.0)}, each option written only when
 * the interface sets it.
 */
final class OptimizerCode {

  private static final ClassName OPTIMIZER_SPEC =
      ClassName.get("dev.kiln.runtime.optim", "OptimizerSpec");

  private OptimizerCode() {}

  static CodeBlock spec(ModelDecl model) {
    Attributes attributes = model.attributes();
    CodeBlock.Builder code = CodeBlock.builder()
        .add("$T.of($T.$L)", OPTIMIZER_SPEC, Optimizer.class, model.optimizer());
    if (!Double.isNaN(model.learningRate())) {
      code.add(".learningRate($L)", model.learningRate());
    }
    if (!model.schedules().isEmpty()) {
      Attributes schedule = model.schedules().get(0);
      code.add(".schedule($L)", ScheduleKinds.of(schedule).create(schedule));
    }
    double momentum = attributes.doubleValue("momentum");
    boolean nesterov = attributes.booleanValue("nesterov");
    if (momentum != 0 || nesterov) {
      code.add(".momentum($L, $L)", momentum, nesterov);
    }
    double decay = attributes.doubleValue("weightDecay");
    boolean decayBiasesAndNorms = attributes.booleanValue("decayBiasesAndNorms");
    if (!Double.isNaN(decay) || !decayBiasesAndNorms) {
      code.add(".weightDecay($L, $L)", Double.isNaN(decay) ? "Double.NaN" : decay,
          decayBiasesAndNorms);
    }
    for (String clipping : new String[] {"clipNorm", "globalClipNorm", "clipValue"}) {
      double limit = attributes.doubleValue(clipping);
      if (!Double.isNaN(limit)) {
        code.add(".$L($L)", clipping, limit);
      }
    }
    return code.build();
  }
}
