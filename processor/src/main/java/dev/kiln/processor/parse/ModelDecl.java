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
 * @param methods every layer method in declaration order, read or not; the layers of applied
 *     blocks in place of their applications
 * @param applications every application of a block, outer ones before those nested in them
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
    List<Application> applications,
    List<Attributes> schedules) {

  public ModelDecl {
    methods = List.copyOf(methods);
    applications = List.copyOf(applications);
    schedules = List.copyOf(schedules);
  }

  /**
   * The application nested in {@code parent} under the full name {@code member}, or null if that
   * member is a layer. (A nested application that is its parent's first output has the parent's
   * name.)
   */
  public Application nested(Application parent, String member) {
    for (Application application : applications) {
      if (application != parent && application.name().equals(member)
          && parent.name().equals(application.parent())) {
        return application;
      }
    }
    return null;
  }

  /**
   * Whether the layer of this name belongs to an application of a block: named {@code
   * application/layer}, or the application's own first output.
   */
  public boolean isInsideApplication(String layer) {
    return layer.contains("/") || application(layer) != null;
  }

  /** The outermost application of this full name, or null. */
  public Application application(String name) {
    for (Application application : applications) {
      if (application.name().equals(name)) {
        return application;
      }
    }
    return null;
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
