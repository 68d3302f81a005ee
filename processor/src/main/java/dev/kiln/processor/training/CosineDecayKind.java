package dev.kiln.processor.training;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.CosineDecay;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.check.Tag;
import dev.kiln.processor.parse.Attributes;

/** {@code @CosineDecay}: Keras' cosine decay, with its optional linear warm-up. */
final class CosineDecayKind implements ScheduleKind {

  @Override
  public Class<CosineDecay> annotation() {
    return CosineDecay.class;
  }

  @Override
  public void validate(Attributes schedule, Report.Builder report) {
    double initial = schedule.doubleValue("initialLearningRate");
    double target = schedule.doubleValue("warmupTarget");
    long warmupSteps = schedule.longValue("warmupSteps");
    if (!(initial >= 0 && !Double.isInfinite(initial))) {
      report.error(Tag.BAD_ATTRIBUTE,
          "initialLearningRate = " + initial + " on " + display() + ", but it must be a number"
              + " >= 0 (0 only to warm up from)",
          schedule.site("initialLearningRate"));
    } else if (initial == 0 && Double.isNaN(target)) {
      report.error(Tag.BAD_ATTRIBUTE,
          "initialLearningRate = 0 on " + display() + " without warm-up, so nothing would ever"
              + " train; set the rate to decay from, or warmupTarget and warmupSteps",
          schedule.site("initialLearningRate"));
    }
    requireSteps(schedule, "decaySteps", 1, report);
    double alpha = schedule.doubleValue("alpha");
    if (!(alpha >= 0 && alpha <= 1)) {
      report.error(Tag.BAD_ATTRIBUTE,
          "alpha = " + alpha + " on " + display() + ", but alpha is the final fraction of the"
              + " rate and must be in [0, 1]",
          schedule.site("alpha"));
    }
    if (Double.isNaN(target)) {
      if (warmupSteps != 0) {
        report.error(Tag.BAD_ATTRIBUTE,
            "warmupSteps = " + warmupSteps + " on " + display() + " without a warmupTarget; set"
                + " the rate warm-up climbs to, such as warmupTarget = 1e-3",
            schedule.site("warmupSteps"));
      }
    } else {
      requirePositive(schedule, "warmupTarget", report);
      requireSteps(schedule, "warmupSteps", 0, report);
    }
  }

  @Override
  public CodeBlock create(Attributes schedule) {
    double target = schedule.doubleValue("warmupTarget");
    return CodeBlock.of("new $T($L, $LL, $L, $L, $LL)", runtimeClass(),
        schedule.doubleValue("initialLearningRate"), schedule.longValue("decaySteps"),
        schedule.doubleValue("alpha"), Double.isNaN(target) ? "Double.NaN" : target,
        schedule.longValue("warmupSteps"));
  }
}
