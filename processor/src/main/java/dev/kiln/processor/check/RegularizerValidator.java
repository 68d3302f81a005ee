package dev.kiln.processor.check;

import dev.kiln.KernelConstraint;
import dev.kiln.Regularizers;
import dev.kiln.processor.layers.ParamDecl;
import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.Node;
import java.util.Map;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.ExecutableElement;

/**
 * Checks {@code @Regularizers} and {@code @KernelConstraint}: factors of 0 or more, a positive
 * norm limit, a layer that has the kernel or bias they act on, and an activity regularizer on a
 * layer rather than an input.
 */
final class RegularizerValidator {

  private RegularizerValidator() {}

  static Report validate(Network network) {
    Report.Builder report = Report.about(network.model().type());
    for (Node node : network.nodes()) {
      ExecutableElement method = node.decl().method();
      Regularizers regularizers = method.getAnnotation(Regularizers.class);
      if (regularizers != null) {
        AnnotationMirror mirror = mirror(method, Regularizers.class);
        factor(node, "kernel", "kernelL1", regularizers.kernelL1(), mirror, report);
        factor(node, "kernel", "kernelL2", regularizers.kernelL2(), mirror, report);
        factor(node, "bias", "biasL1", regularizers.biasL1(), mirror, report);
        factor(node, "bias", "biasL2", regularizers.biasL2(), mirror, report);
        activity(node, "activityL1", regularizers.activityL1(), mirror, report);
        activity(node, "activityL2", regularizers.activityL2(), mirror, report);
      }
      KernelConstraint constraint = method.getAnnotation(KernelConstraint.class);
      if (constraint != null) {
        AnnotationMirror mirror = mirror(method, KernelConstraint.class);
        if (!has(node, "kernel")) {
          report.error(Tag.BAD_ATTRIBUTE,
              "@KernelConstraint on " + node.name() + ", which has no kernel of its own;"
                  + " put it on a Dense or convolution layer, or remove it",
              Site.of(method, mirror));
        } else if (!(constraint.maxValue() > 0) || Double.isInfinite(constraint.maxValue())) {
          report.error(Tag.BAD_ATTRIBUTE,
              "maxValue = " + constraint.maxValue() + " on " + node.name() + "'s"
                  + " @KernelConstraint, but a norm limit must be a positive number; Keras'"
                  + " default is 2",
              Site.of(method, mirror, value(mirror, "maxValue")));
        }
      }
    }
    return report.build();
  }

  private static void factor(
      Node node, String parameter, String attribute, double factor, AnnotationMirror mirror,
      Report.Builder report) {
    ExecutableElement method = node.decl().method();
    Site site = Site.of(method, mirror, value(mirror, attribute));
    if (!(factor >= 0) || Double.isInfinite(factor)) {
      report.error(Tag.BAD_ATTRIBUTE,
          attribute + " = " + factor + " on " + node.name() + ", but a regularizer's factor must"
              + " be a finite number >= 0, such as 1e-4",
          site);
    } else if (factor != 0 && !has(node, parameter)) {
      report.error(Tag.BAD_ATTRIBUTE,
          attribute + " = " + factor + " on " + node.name() + ", which has no " + parameter
              + " of its own" + (parameter.equals("bias") ? " (useBias = false?)" : "")
              + "; remove " + attribute,
          site);
    }
  }

  /** An activity factor: a finite number >= 0, on a layer with an output of its own. */
  private static void activity(
      Node node, String attribute, double factor, AnnotationMirror mirror, Report.Builder report) {
    Site site = Site.of(node.decl().method(), mirror, value(mirror, attribute));
    if (!(factor >= 0) || Double.isInfinite(factor)) {
      report.error(Tag.BAD_ATTRIBUTE,
          attribute + " = " + factor + " on " + node.name() + ", but a regularizer's factor must"
              + " be a finite number >= 0, such as 1e-5",
          site);
    } else if (factor != 0 && node.decl().kind().isInput()) {
      report.error(Tag.BAD_ATTRIBUTE,
          attribute + " = " + factor + " on input " + node.name() + ", which no layer computes;"
              + " put it on a layer that reads " + node.name() + ", or add an @ActivationLayer"
              + "(LINEAR) to carry it",
          site);
    }
  }

  private static boolean has(Node node, String parameter) {
    return node.params().stream().map(ParamDecl::name).anyMatch(parameter::equals);
  }

  private static AnnotationMirror mirror(
      ExecutableElement method, Class<? extends java.lang.annotation.Annotation> type) {
    for (AnnotationMirror mirror : method.getAnnotationMirrors()) {
      if (mirror.getAnnotationType().toString().equals(type.getCanonicalName())) {
        return mirror;
      }
    }
    return null;
  }

  private static AnnotationValue value(AnnotationMirror mirror, String name) {
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> entry :
        mirror.getElementValues().entrySet()) {
      if (entry.getKey().getSimpleName().contentEquals(name)) {
        return entry.getValue();
      }
    }
    return null;
  }
}
