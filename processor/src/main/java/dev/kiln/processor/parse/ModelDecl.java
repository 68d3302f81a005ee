package dev.kiln.processor.parse;

import dev.kiln.Optimizer;
import java.util.List;
import javax.lang.model.element.TypeElement;

/**
 * A {@code @Model} interface as declared.
 *
 * @param type the interface
 * @param packageName its package
 * @param className the simple name of the class to generate
 * @param optimizer the default optimizer
 * @param learningRate its learning rate; NaN for Keras' default
 * @param layers in declaration order
 */
public record ModelDecl(
    TypeElement type,
    String packageName,
    String className,
    Optimizer optimizer,
    double learningRate,
    List<LayerDecl> layers) {

  public ModelDecl {
    layers = List.copyOf(layers);
  }

  public String name() {
    return type.getSimpleName().toString();
  }
}
