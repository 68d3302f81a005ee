package dev.kiln.processor.training;

import java.util.List;
import java.util.Optional;

/** The table of learning-rate schedule annotations: a new schedule is one kind and one line here. */
public final class ScheduleKinds {

  private static final List<ScheduleKind> KINDS = List.of(
      new ExponentialDecayKind(),
      new PiecewiseConstantDecayKind(),
      new CosineDecayKind(),
      new PolynomialDecayKind());

  private ScheduleKinds() {}

  /** The kind declared by the annotation of this qualified name. */
  public static Optional<ScheduleKind> byAnnotation(String qualifiedName) {
    return KINDS.stream()
        .filter(kind -> kind.annotation().getCanonicalName().equals(qualifiedName))
        .findFirst();
  }

  /** The kind of a schedule annotation the parser collected. */
  public static ScheduleKind of(dev.kiln.processor.parse.Attributes schedule) {
    return byAnnotation(schedule.mirror().getAnnotationType().toString()).orElseThrow();
  }
}
