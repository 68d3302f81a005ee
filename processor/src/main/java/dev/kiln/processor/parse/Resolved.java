package dev.kiln.processor.parse;

import java.util.List;
import java.util.Map;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;

/**
 * Whether javac has resolved everything a model interface's declaration refers to. A type that
 * does not exist (yet) or an attribute value that does not compile reaches a processor as an
 * error type or a placeholder value; Kiln leaves such a model alone, since javac reports the
 * mistake itself and a later round may generate a missing type, and judging the model from
 * placeholders would only add confusing errors.
 */
public final class Resolved {

  /** javac's value for an attribute whose expression does not compile. */
  private static final String ERROR_VALUE = "<error>";

  private Resolved() {}

  public static boolean isResolved(
      TypeElement type, Elements elements, WrittenAnnotations written) {
    if (!annotationsResolved(type, elements, written)
        || type.getInterfaces().stream().anyMatch(Resolved::isError)) {
      return false;
    }
    for (ExecutableElement method : ElementFilter.methodsIn(type.getEnclosedElements())) {
      if (isError(method.getReturnType()) || !annotationsResolved(method, elements, written)) {
        return false;
      }
      for (VariableElement parameter : method.getParameters()) {
        if (isError(parameter.asType()) || !annotationsResolved(parameter, elements, written)) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean isError(TypeMirror type) {
    return type.getKind() == TypeKind.ERROR
        || (type instanceof ArrayType array && isError(array.getComponentType()));
  }

  /** Every annotation's type exists, and Kiln's annotations have values of their declared types. */
  private static boolean annotationsResolved(
      Element element, Elements elements, WrittenAnnotations written) {
    if (!written.allResolve(element)) {
      return false;
    }
    for (AnnotationMirror mirror : element.getAnnotationMirrors()) {
      if (isError(mirror.getAnnotationType())) {
        return false;
      }
      if (!ModelParser.qualifiedName(mirror).startsWith("dev.kiln.")) {
        continue;
      }
      Map<? extends ExecutableElement, ? extends AnnotationValue> values =
          elements.getElementValuesWithDefaults(mirror);
      if (!allAttributesGiven(mirror, values)) {
        return false;
      }
      for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> entry :
          values.entrySet()) {
        if (!matches(entry.getKey().getReturnType(), entry.getValue().getValue())) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Whether every attribute of the annotation has a value, given or by default. javac gives a
   * missing required one an error value; Eclipse's compiler leaves it out (an annotation half
   * typed in the IDE, {@code @Dense} without {@code units}), and reports it itself.
   */
  private static boolean allAttributesGiven(
      AnnotationMirror mirror, Map<? extends ExecutableElement, ? extends AnnotationValue> values) {
    for (ExecutableElement attribute :
        ElementFilter.methodsIn(mirror.getAnnotationType().asElement().getEnclosedElements())) {
      if (!values.containsKey(attribute)) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code value} is what javac gives for a compiled value of the declared type. */
  private static boolean matches(TypeMirror declared, Object value) {
    if (declared instanceof ArrayType array) {
      if (!(value instanceof List<?> values)) {
        return matches(array.getComponentType(), value);
      }
      return values.stream()
          .allMatch(item -> item instanceof AnnotationValue annotationValue
              && matches(array.getComponentType(), annotationValue.getValue()));
    }
    return switch (declared.getKind()) {
      case INT -> value instanceof Integer;
      case LONG -> value instanceof Long;
      case DOUBLE -> value instanceof Double;
      case FLOAT -> value instanceof Float;
      case BOOLEAN -> value instanceof Boolean;
      case SHORT -> value instanceof Short;
      case BYTE -> value instanceof Byte;
      case CHAR -> value instanceof Character;
      case DECLARED -> value instanceof VariableElement constant
          ? constant.getKind() == ElementKind.ENUM_CONSTANT
          : value instanceof String text && !text.equals(ERROR_VALUE)
              || value instanceof TypeMirror type && !isError(type)
              || value instanceof AnnotationMirror;
      default -> false;
    };
  }
}
