package dev.kiln.processor.parse;

import dev.kiln.processor.check.Site;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.VariableElement;

/**
 * A parameter of a layer method: the layer it reads from, by the parameter's name or its
 * {@code @From}.
 *
 * @param layer the referenced layer's name
 * @param parameter the parameter, for diagnostics
 * @param from the {@code @From} annotation, or null
 * @param fromValue its value, or null
 */
public record InputRef(
    String layer, VariableElement parameter, AnnotationMirror from, AnnotationValue fromValue) {

  /** The {@code @From} value if there is one, else the parameter. */
  public Site site() {
    return from == null ? Site.of(parameter) : Site.of(parameter, from, fromValue);
  }
}
