package dev.kiln.processor.training;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.PolynomialDecay;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.check.Tag;
import dev.kiln.processor.parse.Attributes;

/** {@code @PolynomialDecay}: Keras' polynomial decay to an end rate. */
final class PolynomialDecayKind implements ScheduleKind {

  @Override
  public Class<PolynomialDecay> annotation() {
    return PolynomialDecay.class;
  }

  @Override
  public void validate(Attributes schedule, Report.Builder report) {
    requirePositive(schedule, "initialLearningRate", report);
    requireSteps(schedule, "decaySteps", 1, report);
    double end = schedule.doubleValue("endLearningRate");
    if (!(end >= 0 && !Double.isInfinite(end))) {
      report.error(Tag.BAD_ATTRIBUTE,
          "endLearningRate = " + end + " on " + display() + ", but it must be a number >= 0",
          schedule.site("endLearningRate"));
    }
    requirePositive(schedule, "power", report);
  }

  @Override
  public CodeBlock create(Attributes schedule) {
    return CodeBlock.of("new $T($L, $LL, $L, $L, $L)", runtimeClass(),
        schedule.doubleValue("initialLearningRate"), schedule.longValue("decaySteps"),
        schedule.doubleValue("endLearningRate"), schedule.doubleValue("power"),
        schedule.booleanValue("cycle"));
  }
}
