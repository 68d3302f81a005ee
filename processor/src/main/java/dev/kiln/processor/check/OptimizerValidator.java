package dev.kiln.processor.check;

import dev.kiln.Optimizer;
import dev.kiln.processor.parse.Attributes;
import dev.kiln.processor.parse.ModelDecl;
import dev.kiln.processor.training.ScheduleKind;
import dev.kiln.processor.training.ScheduleKinds;
import java.util.List;

/**
 * Checks the optimizer's options on {@code @Model} and the schedule beside it: values in range,
 * and no two options that contradict each other (a schedule and a fixed rate, two clippings,
 * SGD's momentum on another optimizer).
 */
final class OptimizerValidator {

  private static final List<String> CLIPPINGS = List.of("clipNorm", "globalClipNorm", "clipValue");

  private OptimizerValidator() {}

  static Report validate(ModelDecl model) {
    Report.Builder report = Report.about(model.type());
    Attributes attributes = model.attributes();
    momentum(model, attributes, report);
    weightDecay(attributes, report);
    clipping(attributes, report);
    schedules(model, attributes, report);
    return report.build();
  }

  private static void momentum(ModelDecl model, Attributes attributes, Report.Builder report) {
    double momentum = attributes.doubleValue("momentum");
    if (!(momentum >= 0 && momentum < 1)) {
      report.error(Tag.BAD_ATTRIBUTE,
          "momentum = " + momentum + ", but momentum keeps a fraction of the last step and must"
              + " be in [0, 1); 0.9 is common",
          attributes.site("momentum"));
    } else if (model.optimizer() != Optimizer.SGD) {
      for (String name : List.of("momentum", "nesterov")) {
        if (attributes.written(name) != null) {
          report.error(Tag.OPTIMIZER_CONFLICT,
              name + " is SGD's option, but the optimizer is " + model.optimizer()
                  + ", which keeps its own moments; remove " + name + ", or use optimizer = SGD",
              attributes.site(name));
        }
      }
    }
  }

  private static void weightDecay(Attributes attributes, Report.Builder report) {
    double decay = attributes.doubleValue("weightDecay");
    if (!Double.isNaN(decay) && !(decay >= 0 && !Double.isInfinite(decay))) {
      report.error(Tag.BAD_ATTRIBUTE,
          "weightDecay = " + decay + ", but weight decay must be a number >= 0; AdamW's default"
              + " is 0.004",
          attributes.site("weightDecay"));
    }
  }

  private static void clipping(Attributes attributes, Report.Builder report) {
    String first = null;
    for (String name : CLIPPINGS) {
      double limit = attributes.doubleValue(name);
      if (Double.isNaN(limit) && attributes.written(name) == null) {
        continue;
      }
      if (!(limit > 0 && !Double.isInfinite(limit))) {
        report.error(Tag.BAD_ATTRIBUTE,
            name + " = " + limit + ", but a clipping limit must be a positive number; 1.0 is"
                + " common, or remove " + name + " not to clip",
            attributes.site(name));
      }
      if (first != null) {
        report.error(Tag.OPTIMIZER_CONFLICT,
            first + " and " + name + " are both set, but Keras clips one way only; keep one of"
                + " them",
            attributes.site(name));
      }
      first = name;
    }
  }

  private static void schedules(ModelDecl model, Attributes attributes, Report.Builder report) {
    List<Attributes> schedules = model.schedules();
    for (int i = 0; i < schedules.size(); i++) {
      Attributes schedule = schedules.get(i);
      ScheduleKind kind = ScheduleKinds.of(schedule);
      kind.validate(schedule, report);
      if (i > 0) {
        report.error(Tag.OPTIMIZER_CONFLICT,
            kind.display() + " and " + ScheduleKinds.of(schedules.get(0)).display() + " both set"
                + " the learning rate of " + model.name() + "; keep one schedule",
            schedule.site());
      }
    }
    if (!schedules.isEmpty() && attributes.written("learningRate") != null) {
      report.error(Tag.OPTIMIZER_CONFLICT,
          "learningRate = " + attributes.doubleValue("learningRate") + " and "
              + ScheduleKinds.of(schedules.get(0)).display() + " both set the learning rate of "
              + model.name() + "; the schedule gives every step's rate, so remove learningRate",
          attributes.site("learningRate"));
    }
  }
}
