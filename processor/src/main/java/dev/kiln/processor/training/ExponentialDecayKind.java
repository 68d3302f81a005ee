package dev.kiln.processor.training;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.ExponentialDecay;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.parse.Attributes;

/** {@code @ExponentialDecay}: Keras' exponential decay of the learning rate. */
final class ExponentialDecayKind implements ScheduleKind {

  @Override
  public Class<ExponentialDecay> annotation() {
    return ExponentialDecay.class;
  }

  @Override
  public void validate(Attributes schedule, Report.Builder report) {
    requirePositive(schedule, "initialLearningRate", report);
    requireSteps(schedule, "decaySteps", 1, report);
    requirePositive(schedule, "decayRate", report);
  }

  @Override
  public CodeBlock create(Attributes schedule) {
    return CodeBlock.of("new $T($L, $LL, $L, $L)", runtimeClass(),
        schedule.doubleValue("initialLearningRate"), schedule.longValue("decaySteps"),
        schedule.doubleValue("decayRate"), schedule.booleanValue("staircase"));
  }
}
