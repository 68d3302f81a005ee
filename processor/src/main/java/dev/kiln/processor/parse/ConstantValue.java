package dev.kiln.processor.parse;

import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.AnnotationValueVisitor;

/**
 * An attribute value Kiln sets itself: the name of the layer whose weights a layer of a shared
 * block application uses, which no annotation in the source spells out.
 */
final class ConstantValue implements AnnotationValue {

  private final String value;

  ConstantValue(String value) {
    this.value = value;
  }

  @Override
  public Object getValue() {
    return value;
  }

  @Override
  public <R, P> R accept(AnnotationValueVisitor<R, P> visitor, P parameter) {
    return visitor.visitString(value, parameter);
  }

  @Override
  public String toString() {
    return '"' + value + '"';
  }
}
