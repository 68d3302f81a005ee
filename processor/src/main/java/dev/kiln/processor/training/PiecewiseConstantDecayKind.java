package dev.kiln.processor.training;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.PiecewiseConstantDecay;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.check.Tag;
import dev.kiln.processor.parse.Attributes;
import java.util.Arrays;
import java.util.stream.Collectors;

/** {@code @PiecewiseConstantDecay}: Keras' learning rate constant between step boundaries. */
final class PiecewiseConstantDecayKind implements ScheduleKind {

  @Override
  public Class<PiecewiseConstantDecay> annotation() {
    return PiecewiseConstantDecay.class;
  }

  @Override
  public void validate(Attributes schedule, Report.Builder report) {
    long[] boundaries = schedule.longArray("boundaries");
    double[] values = schedule.doubleArray("values");
    if (values.length != boundaries.length + 1) {
      report.error(Tag.BAD_ATTRIBUTE,
          display() + " has " + boundaries.length + " boundaries and " + values.length
              + " values, but needs one value more than boundaries: the rate before the first"
              + " boundary, between each two, and after the last",
          schedule.site("values"));
    }
    for (int i = 1; i < boundaries.length; i++) {
      if (boundaries[i] <= boundaries[i - 1]) {
        report.error(Tag.BAD_ATTRIBUTE,
            "boundaries = " + Arrays.toString(boundaries) + " on " + display()
                + ", but boundaries are steps and must increase",
            schedule.site("boundaries"));
        break;
      }
    }
    for (double value : values) {
      if (!(value > 0 && !Double.isInfinite(value))) {
        report.error(Tag.BAD_ATTRIBUTE,
            "values = " + Arrays.toString(values) + " on " + display()
                + ", but every learning rate must be a positive number",
            schedule.site("values"));
        break;
      }
    }
  }

  @Override
  public CodeBlock create(Attributes schedule) {
    String boundaries = Arrays.stream(schedule.longArray("boundaries"))
        .mapToObj(value -> value + "L").collect(Collectors.joining(", "));
    String values = Arrays.stream(schedule.doubleArray("values"))
        .mapToObj(Double::toString).collect(Collectors.joining(", "));
    return CodeBlock.of("new $T(new long[] {$L}, new double[] {$L})", runtimeClass(), boundaries,
        values);
  }
}
