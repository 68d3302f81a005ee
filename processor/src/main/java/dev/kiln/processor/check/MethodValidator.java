package dev.kiln.processor.check;

import dev.kiln.Apply;
import dev.kiln.Output;
import dev.kiln.SameWeightsAs;
import dev.kiln.Tensor;
import dev.kiln.processor.layers.LayerKind;
import dev.kiln.processor.layers.LayerKinds;
import dev.kiln.processor.parse.ModelParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/**
 * Checks each method of a model interface as Java: abstract, not generic, returning and taking
 * {@code Tensor}, with exactly one layer annotation, a wrapper that fits it, and a name the
 * generated class can use. A method with an error here is not read as a layer.
 */
public final class MethodValidator {

  /**
   * Names the generated code uses itself where a layer's name becomes a record component, a
   * method, a field or a parameter: Object's methods, the data holders' array accessors, and
   * the model's own fields and parameters that a layer's name would hide.
   */
  static final Set<String> RESERVED =
      Set.of("inputArrays", "targetArrays", "sampleWeights", "withSampleWeights", "clone",
          "finalize", "getClass", "hashCode", "notify", "notifyAll", "toString", "wait", "equals",
          "batchSize", "buffers", "current", "dataType");

  private final Elements elements;
  private final Types types;

  public MethodValidator(Elements elements, Types types) {
    this.elements = elements;
    this.types = types;
  }

  public Report validate(TypeElement type) {
    Report.Builder report = Report.about(type);
    for (ExecutableElement method : ElementFilter.methodsIn(type.getEnclosedElements())) {
      validate(method, report);
    }
    return report.build();
  }

  private void validate(ExecutableElement method, Report.Builder report) {
    String name = method.getSimpleName().toString();
    List<AnnotationMirror> layerAnnotations = new ArrayList<>();
    List<AnnotationMirror> wrappers = new ArrayList<>();
    for (AnnotationMirror mirror : method.getAnnotationMirrors()) {
      String annotation = ModelParser.qualifiedName(mirror);
      if (LayerKinds.byAnnotation(annotation).isPresent()) {
        layerAnnotations.add(mirror);
      } else if (LayerKinds.isWrapper(annotation)) {
        wrappers.add(mirror);
      }
    }
    AnnotationMirror apply = ModelParser.mirror(method, Apply.class);
    boolean sharing = ModelParser.mirror(method, SameWeightsAs.class) != null;
    boolean kiln = !layerAnnotations.isEmpty() || !wrappers.isEmpty() || apply != null
        || ModelParser.mirror(method, Output.class) != null
        || ModelParser.mirror(method, SameWeightsAs.class) != null;
    Set<Modifier> modifiers = method.getModifiers();
    if (modifiers.contains(Modifier.STATIC) || modifiers.contains(Modifier.PRIVATE)) {
      if (kiln) {
        String modifier = modifiers.contains(Modifier.STATIC) ? "static" : "private";
        report.error(
            Tag.NOT_ABSTRACT,
            "layer " + name + " is a " + modifier + " method, but layers are abstract methods"
                + " that Kiln implements; remove " + modifier + " and the body",
            Site.of(method));
      }
      return; // A helper method, not a layer.
    }
    if (method.isDefault()) {
      report.error(
          Tag.NOT_ABSTRACT,
          (kiln ? "layer " : "method ") + name + " is a default method, but the methods of a"
              + " @Model interface are layers, abstract methods that Kiln implements; remove the"
              + " body" + (kiln ? "" : " and add a layer annotation, or move the method out"),
          Site.of(method));
      return;
    }
    if (apply != null && !layerAnnotations.isEmpty()) {
      report.error(
          Tag.TWO_LAYER_ANNOTATIONS,
          "method " + name + " has @Apply and @" + simpleName(layerAnnotations.get(0)) + ", but one"
              + " method applies a block or is one layer; split it into two methods, the second"
              + " reading the first",
          Site.of(method, layerAnnotations.get(0)));
    } else if (apply != null || (layerAnnotations.isEmpty() && sharing)) {
      // An application, or a layer taking the annotation of the layer whose weights it uses.
      if (!wrappers.isEmpty()) {
        report.error(
            Tag.BAD_WRAPPER,
            "method " + name + " wraps a block application in @" + simpleName(wrappers.get(0))
                + ", but wrappers take one layer; wrap the layers inside the block instead",
            Site.of(method, wrappers.get(0)));
      }
    } else if (layerAnnotations.isEmpty()) {
      report.error(
          Tag.MISSING_LAYER_ANNOTATION,
          "method " + name + " has no layer annotation, but every method of a @Model interface"
              + " is a layer; annotate it, such as @Dense(units = 64) or @Input(shape = 784)",
          Site.of(method));
    } else if (layerAnnotations.size() > 1) {
      report.error(
          Tag.TWO_LAYER_ANNOTATIONS,
          "method " + name + " has two layer annotations, @" + simpleName(layerAnnotations.get(0))
              + " and @" + simpleName(layerAnnotations.get(1)) + ", but one method is one layer;"
              + " split it into two methods, the second reading the first",
          Site.of(method, layerAnnotations.get(1)));
    } else {
      checkWrappers(method, layerAnnotations.get(0), wrappers, report);
    }
    if (!method.getTypeParameters().isEmpty()) {
      report.error(
          Tag.GENERIC_METHOD,
          "layer " + name + " has type parameters " + method.getTypeParameters() + ", but a"
              + " layer method takes and returns Tensor; remove the type parameters",
          Site.of(method));
    }
    if (!isTensor(method.getReturnType())) {
      report.error(
          Tag.NOT_A_TENSOR,
          "layer " + name + " returns " + method.getReturnType() + ", but layer methods return"
              + " Tensor; declare it as Tensor " + name + "(...)",
          Site.of(method));
    }
    if (RESERVED.contains(name)) {
      report.error(
          Tag.RESERVED_NAME,
          "a layer cannot be named " + name + ": the generated model has a member of that name"
              + " itself; rename the method",
          Site.of(method));
    } else if (Character.isUpperCase(name.codePointAt(0))
        || Character.isTitleCase(name.codePointAt(0))) {
      // In generated code such as Dense.forward(...), a variable named Dense hides the class.
      report.error(
          Tag.RESERVED_NAME,
          "layer " + name + " starts with an upper-case letter, but such names are left to the"
              + " classes the generated model calls (Dense, NdArrays, ...); start the name with a"
              + " lower-case letter, as Java methods do",
          Site.of(method));
    }
    for (VariableElement parameter : method.getParameters()) {
      if (!isTensor(parameter.asType())) {
        report.error(
            Tag.NOT_A_TENSOR,
            "parameter " + parameter.getSimpleName() + " of " + name + " is " + parameter.asType()
                + ", but parameters name the layers read from and are Tensor"
                + (method.isVarArgs() && parameter.asType().toString().endsWith("[]")
                    ? "; declare one Tensor parameter per input instead of varargs"
                    : "; declare it as Tensor " + parameter.getSimpleName()),
            Site.of(parameter));
      }
    }
  }

  private static void checkWrappers(
      ExecutableElement method,
      AnnotationMirror layerAnnotation,
      List<AnnotationMirror> wrappers,
      Report.Builder report) {
    if (wrappers.isEmpty()) {
      return;
    }
    if (wrappers.size() > 1) {
      report.error(
          Tag.BAD_WRAPPER,
          "layer " + method.getSimpleName() + " has two wrappers, @" + simpleName(wrappers.get(0))
              + " and @" + simpleName(wrappers.get(1)) + ", but Kiln wraps a layer in one of"
              + " them; keep one",
          Site.of(method, wrappers.get(1)));
      return;
    }
    LayerKind inner = LayerKinds.byAnnotation(ModelParser.qualifiedName(layerAnnotation)).orElseThrow();
    Optional.ofNullable(LayerKinds.cannotWrap(ModelParser.qualifiedName(wrappers.get(0)), inner))
        .ifPresent(problem -> report.error(
            Tag.BAD_WRAPPER,
            problem + " (on " + method.getSimpleName() + "); remove the wrapper, or wrap a layer"
                + " it fits",
            Site.of(method, wrappers.get(0))));
  }

  private boolean isTensor(TypeMirror type) {
    TypeElement tensor = elements.getTypeElement(Tensor.class.getCanonicalName());
    return tensor != null && types.isSameType(type, tensor.asType());
  }

  private static String simpleName(AnnotationMirror mirror) {
    return mirror.getAnnotationType().asElement().getSimpleName().toString();
  }
}
