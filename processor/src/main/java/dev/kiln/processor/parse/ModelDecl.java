package dev.kiln.processor.parse;

import dev.kiln.Optimizer;
import java.util.List;
import javax.lang.model.element.TypeElement;

/**
 * A {@code @Model} interface as declared.
 *
 * @param type the interface
 * @param attributes its {@code @Model}
 * @param packageName its package
 * @param className the simple name of the class to generate
 * @param optimizer the default optimizer
 * @param learningRate its learning rate; NaN for Keras' default
 * @param methods every layer method in declaration order, read or not
 * @param schedules the learning-rate schedule annotations beside {@code @Model} (one is sound)
 */
public record ModelDecl(
    TypeElement type,
    Attributes attributes,
    String packageName,
    String className,
    Optimizer optimizer,
    double learningRate,
    List<MethodDecl> methods,
    List<Attributes> schedules) {

  public ModelDecl {
    methods = List.copyOf(methods);
    schedules = List.copyOf(schedules);
  }

  public String name() {
    return type.getSimpleName().toString();
  }

  /** The methods read as layers, in declaration order. */
  public List<LayerDecl> layers() {
    return methods.stream()
        .filter(LayerDecl.class::isInstance)
        .map(LayerDecl.class::cast)
        .toList();
  }
}
