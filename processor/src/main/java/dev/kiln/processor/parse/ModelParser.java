package dev.kiln.processor.parse;

import dev.kiln.From;
import dev.kiln.Loss;
import dev.kiln.Metric;
import dev.kiln.Model;
import dev.kiln.Optimizer;
import dev.kiln.Output;
import dev.kiln.SameWeightsAs;
import dev.kiln.Tensor;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.layers.LayerKind;
import dev.kiln.processor.layers.LayerKinds;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/**
 * Reads a {@code @Model} interface into a {@link ModelDecl}, reporting what is wrong with it as
 * Java: a class instead of an interface, a method without a layer annotation, a parameter that
 * is not a {@code Tensor}.
 */
public final class ModelParser {

  /** Names the generated code uses for its own members of the data holders. */
  private static final Set<String> RESERVED =
      Set.of("inputArrays", "targetArrays", "clone", "finalize", "getClass", "hashCode",
          "notify", "notifyAll", "toString", "wait", "equals");

  private final Elements elements;
  private final Types types;

  public ModelParser(Elements elements, Types types) {
    this.elements = elements;
    this.types = types;
  }

  /** The declaration, or empty when the interface cannot be read as a model at all. */
  public Optional<ModelDecl> parse(TypeElement type, Report report) {
    AnnotationMirror model = mirror(type, Model.class);
    if (type.getKind() != ElementKind.INTERFACE) {
      report.error(
          "NotAnInterface",
          "@Model goes on an interface whose methods are layers, but "
              + type.getSimpleName()
              + " is a "
              + type.getKind().toString().toLowerCase().replace('_', ' ')
              + "; declare it as an interface",
          type,
          model);
      return Optional.empty();
    }
    if (!type.getTypeParameters().isEmpty()) {
      report.error(
          "GenericModel",
          type.getSimpleName() + " has type parameters; a model interface cannot be generic",
          type,
          model);
      return Optional.empty();
    }
    Attributes attributes = new Attributes(model, elements);
    String className = attributes.stringValue("className");
    if (className.isEmpty()) {
      className = type.getSimpleName() + "Model";
    } else if (!javax.lang.model.SourceVersion.isName(className) || className.contains(".")) {
      report.error(
          "BadAttribute",
          "className \"" + className + "\" is not a simple Java class name",
          type,
          model,
          attributes.written("className"));
    }
    double learningRate = attributes.doubleValue("learningRate");
    if (!Double.isNaN(learningRate) && !(learningRate > 0 && !Double.isInfinite(learningRate))) {
      report.error(
          "BadAttribute",
          "learningRate = " + learningRate + "; it must be a positive number",
          type,
          model,
          attributes.written("learningRate"));
    }

    List<LayerDecl> layers = new ArrayList<>();
    for (ExecutableElement method : ElementFilter.methodsIn(type.getEnclosedElements())) {
      if (method.getModifiers().contains(Modifier.STATIC)
          || method.getModifiers().contains(Modifier.PRIVATE)) {
        continue;
      }
      parseLayer(method, report).ifPresent(layers::add);
    }
    String packageName = elements.getPackageOf(type).getQualifiedName().toString();
    return Optional.of(
        new ModelDecl(
            type,
            packageName,
            className,
            attributes.enumValue("optimizer", Optimizer.class),
            learningRate,
            layers));
  }

  private Optional<LayerDecl> parseLayer(ExecutableElement method, Report report) {
    String name = method.getSimpleName().toString();
    List<AnnotationMirror> layerAnnotations = new ArrayList<>();
    List<LayerKind> kinds = new ArrayList<>();
    AnnotationMirror wrapper = null;
    for (AnnotationMirror mirror : method.getAnnotationMirrors()) {
      String annotation = ((TypeElement) mirror.getAnnotationType().asElement())
          .getQualifiedName().toString();
      Optional<LayerKind> kind = LayerKinds.byAnnotation(annotation);
      if (kind.isPresent()) {
        layerAnnotations.add(mirror);
        kinds.add(kind.get());
      } else if (LayerKinds.isWrapper(annotation)) {
        if (wrapper != null) {
          report.error(
              "TwoLayerAnnotations",
              "method " + name + " has two wrappers; Kiln wraps a layer in one of"
                  + " @TimeDistributed or @Bidirectional",
              method,
              mirror);
          return Optional.empty();
        }
        wrapper = mirror;
      }
    }
    if (kinds.isEmpty()) {
      report.error(
          "MissingLayerAnnotation",
          "method " + name + " has no layer annotation; every method of a @Model interface is a"
              + " layer, such as @Dense(units = 64) or @Input(shape = 784)",
          method);
      return Optional.empty();
    }
    if (kinds.size() > 1) {
      report.error(
          "TwoLayerAnnotations",
          "method " + name + " has two layer annotations (@" + kinds.get(0).kerasName() + " and @"
              + kinds.get(1).kerasName() + "); one method is one layer, so split it into two"
              + " methods",
          method,
          layerAnnotations.get(1));
      return Optional.empty();
    }
    boolean valid = true;
    if (method.isDefault()) {
      report.error(
          "DefaultMethod",
          "layer " + name + " is a default method; layers are abstract methods, remove the body",
          method);
      valid = false;
    }
    if (!method.getTypeParameters().isEmpty()) {
      report.error(
          "GenericMethod",
          "layer " + name + " has type parameters; a layer method cannot be generic",
          method);
      valid = false;
    }
    if (!isTensor(method.getReturnType())) {
      report.error(
          "NotATensor",
          "layer " + name + " returns " + method.getReturnType() + "; layer methods return Tensor",
          method);
      valid = false;
    }
    if (RESERVED.contains(name)) {
      report.error(
          "ReservedName",
          "a layer cannot be named " + name + ": the generated model uses that name itself;"
              + " rename the method",
          method);
      valid = false;
    }
    List<InputRef> inputs = new ArrayList<>();
    for (VariableElement parameter : method.getParameters()) {
      if (!isTensor(parameter.asType())) {
        report.error(
            "NotATensor",
            "parameter " + parameter.getSimpleName() + " of " + name + " is "
                + parameter.asType() + "; parameters name the layers read from and are Tensor",
            parameter);
        valid = false;
      }
      AnnotationMirror from = mirror(parameter, From.class);
      if (from != null) {
        Attributes fromAttributes = new Attributes(from, elements);
        inputs.add(
            new InputRef(
                fromAttributes.stringValue("value"),
                parameter,
                from,
                fromAttributes.written("value")));
      } else {
        inputs.add(new InputRef(parameter.getSimpleName().toString(), parameter, null, null));
      }
    }
    OutputDecl output = null;
    AnnotationMirror outputMirror = mirror(method, Output.class);
    if (outputMirror != null) {
      Attributes outputAttributes = new Attributes(outputMirror, elements);
      output =
          new OutputDecl(
              outputAttributes.enumValue("loss", Loss.class),
              outputAttributes.enumList("metrics", Metric.class),
              outputAttributes.doubleValue("weight"),
              outputAttributes);
    }
    if (!valid) {
      return Optional.empty();
    }
    Attributes attributes = new Attributes(layerAnnotations.get(0), elements);
    LayerKind kind = kinds.get(0);
    if (wrapper != null) {
      StringBuilder problem = new StringBuilder();
      String wrapperName =
          ((TypeElement) wrapper.getAnnotationType().asElement()).getQualifiedName().toString();
      Optional<LayerKind> wrapped =
          LayerKinds.wrap(wrapperName, new Attributes(wrapper, elements), kind, problem);
      if (wrapped.isEmpty()) {
        report.error("BadWrapper", problem + " (on " + name + ")", method, wrapper);
        return Optional.empty();
      }
      kind = wrapped.get();
    }
    AnnotationMirror sharing = mirror(method, SameWeightsAs.class);
    return Optional.of(
        new LayerDecl(
            name,
            method,
            kind,
            attributes,
            inputs,
            output,
            sharing == null ? null : new Attributes(sharing, elements)));
  }

  private boolean isTensor(TypeMirror type) {
    TypeElement tensor = elements.getTypeElement(Tensor.class.getCanonicalName());
    return tensor != null && types.isSameType(type, tensor.asType());
  }

  private static AnnotationMirror mirror(Element element, Class<?> annotation) {
    for (AnnotationMirror mirror : element.getAnnotationMirrors()) {
      TypeElement type = (TypeElement) mirror.getAnnotationType().asElement();
      if (type.getQualifiedName().contentEquals(annotation.getCanonicalName())) {
        return mirror;
      }
    }
    return null;
  }
}
