package dev.kiln.processor.parse;

import dev.kiln.From;
import dev.kiln.Frozen;
import dev.kiln.Loss;
import dev.kiln.Metric;
import dev.kiln.Model;
import dev.kiln.Optimizer;
import dev.kiln.Output;
import dev.kiln.SameWeightsAs;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.layers.LayerKind;
import dev.kiln.processor.layers.LayerKinds;
import dev.kiln.processor.training.ScheduleKinds;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;

/**
 * Reads a {@code @Model} interface into a {@link ModelDecl}. It only reads: whether the
 * interface and its methods are well-formed Java for a model is the {@code check} package's
 * concern, and a method with an error there is kept as {@link Unreadable}.
 */
public final class ModelParser {

  private final Elements elements;
  private final BlockReader blocks;

  public ModelParser(Elements elements, BlockReader blocks) {
    this.elements = elements;
    this.blocks = blocks;
  }

  /**
   * The declaration; {@code javaForm} holds the errors already found in its methods. The layers
   * of applied blocks take the place of their applications; what is wrong with an application
   * goes to {@code applications}.
   */
  public ModelDecl parse(TypeElement type, Report javaForm, Report.Builder applications) {
    Attributes model = new Attributes(type, mirror(type, Model.class), elements);
    BlockExpander expander = new BlockExpander(elements, blocks, type, applications);
    List<MethodDecl> methods = new ArrayList<>();
    for (ExecutableElement method : layerMethods(type)) {
      if (javaForm.hasErrorsWithin(method)) {
        methods.add(unreadable(method, javaForm));
      } else if (layerAnnotation(method) == null && !BlockExpander.isApplication(method, type)
          && BlockExpander.sharedMethod(method, type) == null) {
        methods.add(BlockExpander.unknownOwner(method, inputs(method, elements), applications));
      } else if (BlockExpander.isApplication(method, type)) {
        methods.addAll(expander.expand(method, inputs(method, elements)));
      } else {
        methods.add(layer(method, type));
      }
    }
    return new ModelDecl(
        type,
        model,
        elements.getPackageOf(type).getQualifiedName().toString(),
        className(type, model),
        model.enumValue("optimizer", Optimizer.class),
        model.doubleValue("learningRate"),
        methods,
        expander.applications(),
        schedules(type));
  }

  /** The schedule annotations on the interface, in the order written. */
  private List<Attributes> schedules(TypeElement type) {
    List<Attributes> schedules = new ArrayList<>();
    for (AnnotationMirror mirror : type.getAnnotationMirrors()) {
      if (ScheduleKinds.byAnnotation(qualifiedName(mirror)).isPresent()) {
        schedules.add(new Attributes(type, mirror, elements));
      }
    }
    return schedules;
  }

  /** The methods that declare layers: all but static and private ones, which cannot be. */
  public static List<ExecutableElement> layerMethods(TypeElement type) {
    return ElementFilter.methodsIn(type.getEnclosedElements()).stream()
        .filter(method -> !method.getModifiers().contains(Modifier.STATIC)
            && !method.getModifiers().contains(Modifier.PRIVATE))
        .toList();
  }

  /** {@code @Model(className = ...)}, or the interface's name followed by {@code Model}. */
  public static String className(TypeElement type, Attributes model) {
    String className = model.stringValue("className");
    return className.isEmpty() ? type.getSimpleName() + "Model" : className;
  }

  /**
   * A layer method; one with {@code @SameWeightsAs} and no layer annotation of its own takes the
   * annotation of the layer whose weights it uses.
   */
  private LayerDecl layer(ExecutableElement method, TypeElement type) {
    ExecutableElement declaring = layerAnnotation(method) == null
        ? BlockExpander.sharedMethod(method, type)
        : method;
    AnnotationMirror output = mirror(method, Output.class);
    AnnotationMirror sharing = mirror(method, SameWeightsAs.class);
    return new LayerDecl(
        method.getSimpleName().toString(),
        method,
        kindOf(declaring, elements),
        new Attributes(declaring, layerAnnotation(declaring), elements),
        inputs(method, elements),
        output == null ? null : output(new Attributes(method, output, elements)),
        sharing == null ? null : new Attributes(method, sharing, elements),
        mirror(method, Frozen.class) != null);
  }

  /** The layer annotation on {@code method}, or null. */
  static AnnotationMirror layerAnnotation(ExecutableElement method) {
    for (AnnotationMirror mirror : method.getAnnotationMirrors()) {
      if (LayerKinds.byAnnotation(qualifiedName(mirror)).isPresent()) {
        return mirror;
      }
    }
    return null;
  }

  /** The kind of layer {@code method}'s layer annotation declares, wrapped as its wrapper says. */
  static LayerKind kindOf(ExecutableElement method, Elements elements) {
    AnnotationMirror wrapper = null;
    for (AnnotationMirror mirror : method.getAnnotationMirrors()) {
      if (LayerKinds.isWrapper(qualifiedName(mirror))) {
        wrapper = mirror;
      }
    }
    LayerKind kind = LayerKinds.byAnnotation(qualifiedName(layerAnnotation(method))).orElseThrow();
    if (wrapper != null) {
      kind = LayerKinds.wrap(qualifiedName(wrapper), new Attributes(method, wrapper, elements), kind);
    }
    return kind;
  }

  /** The method's name and references; a parameter with an error of its own names nothing. */
  private Unreadable unreadable(ExecutableElement method, Report javaForm) {
    List<InputRef> inputs = new ArrayList<>(inputs(method, elements));
    boolean allInputs = !inputs.removeIf(input -> javaForm.hasErrorsWithin(input.parameter()));
    return new Unreadable(
        method.getSimpleName().toString(),
        method,
        inputs,
        allInputs,
        mirror(method, Output.class) != null);
  }

  static List<InputRef> inputs(ExecutableElement method, Elements elements) {
    List<InputRef> inputs = new ArrayList<>();
    for (VariableElement parameter : method.getParameters()) {
      AnnotationMirror from = mirror(parameter, From.class);
      if (from == null) {
        inputs.add(new InputRef(parameter.getSimpleName().toString(), parameter, null, null));
      } else {
        Attributes value = new Attributes(parameter, from, elements);
        inputs.add(new InputRef(value.stringValue("value"), parameter, from, value.written("value")));
      }
    }
    return inputs;
  }

  static OutputDecl output(Attributes output) {
    return new OutputDecl(
        output.enumValue("loss", Loss.class),
        output.enumList("metrics", Metric.class),
        output.doubleValue("weight"),
        output.booleanValue("fromLogits"),
        output.doubleValue("labelSmoothing"),
        output.doubleValue("huberDelta"),
        output);
  }

  /** The annotation of this type on {@code element}, or null. */
  public static AnnotationMirror mirror(Element element, Class<?> annotation) {
    for (AnnotationMirror mirror : element.getAnnotationMirrors()) {
      if (qualifiedName(mirror).equals(annotation.getCanonicalName())) {
        return mirror;
      }
    }
    return null;
  }

  public static String qualifiedName(AnnotationMirror mirror) {
    return ((TypeElement) mirror.getAnnotationType().asElement()).getQualifiedName().toString();
  }
}
