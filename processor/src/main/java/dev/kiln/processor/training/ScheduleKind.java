package dev.kiln.processor.training;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.check.Tag;
import dev.kiln.processor.parse.Attributes;
import java.lang.annotation.Annotation;

/**
 * One kind of learning-rate schedule annotation: its attribute checks and the runtime schedule it
 * becomes in the generated model. Each kind is one class, registered in {@link ScheduleKinds}.
 */
public interface ScheduleKind {

  /** The runtime package of the schedules. */
  String RUNTIME_PACKAGE = "dev.kiln.runtime.optim.schedules";

  /** The annotation declaring this schedule. */
  Class<? extends Annotation> annotation();

  /** Reports attribute values the runtime schedule would refuse. */
  void validate(Attributes schedule, Report.Builder report);

  /** An expression creating the runtime schedule. */
  CodeBlock create(Attributes schedule);

  /** The runtime class of the same name as the annotation. */
  default ClassName runtimeClass() {
    return ClassName.get(RUNTIME_PACKAGE, annotation().getSimpleName());
  }

  /** The annotation's simple name with {@code @}, for messages. */
  default String display() {
    return "@" + annotation().getSimpleName();
  }

  /** Reports {@code name} unless it is a positive finite number. */
  default void requirePositive(Attributes schedule, String name, Report.Builder report) {
    double value = schedule.doubleValue(name);
    if (!(value > 0 && !Double.isInfinite(value))) {
      report.error(Tag.BAD_ATTRIBUTE,
          name + " = " + value + " on " + display() + ", but it must be a positive number",
          schedule.site(name));
    }
  }

  /** Reports a step count below {@code least}. */
  default void requireSteps(Attributes schedule, String name, long least, Report.Builder report) {
    long value = schedule.longValue(name);
    if (value < least) {
      report.error(Tag.BAD_ATTRIBUTE,
          name + " = " + value + " on " + display() + ", but it counts steps and must be at least "
              + least,
          schedule.site(name));
    }
  }
}
