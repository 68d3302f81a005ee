package dev.kiln.processor.parse;

import java.util.List;
import java.util.stream.Collectors;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.SimpleAnnotationValueVisitor14;

/**
 * An annotation value as text that depends only on the value, not on the compiler: enum
 * constants by simple name, numbers as Java prints them, strings quoted, arrays in braces. For
 * the values Kiln's annotations hold it matches javac's own rendering, so fingerprints of
 * javac-built models did not change when Kiln started rendering them itself.
 */
public final class AttributeText extends SimpleAnnotationValueVisitor14<String, Void> {

  private static final AttributeText INSTANCE = new AttributeText();

  private AttributeText() {}

  public static String of(AnnotationValue value) {
    return value.accept(INSTANCE, null);
  }

  @Override
  public String visitBoolean(boolean b, Void unused) {
    return Boolean.toString(b);
  }

  @Override
  public String visitByte(byte b, Void unused) {
    return "(byte)" + b;
  }

  @Override
  public String visitChar(char c, Void unused) {
    return "'" + escape(String.valueOf(c)) + "'";
  }

  @Override
  public String visitShort(short s, Void unused) {
    return "(short)" + s;
  }

  @Override
  public String visitInt(int i, Void unused) {
    return Integer.toString(i);
  }

  @Override
  public String visitLong(long l, Void unused) {
    return l + "L";
  }

  @Override
  public String visitFloat(float f, Void unused) {
    return f + "f";
  }

  @Override
  public String visitDouble(double d, Void unused) {
    return Double.toString(d);
  }

  @Override
  public String visitString(String s, Void unused) {
    return "\"" + escape(s) + "\"";
  }

  @Override
  public String visitEnumConstant(VariableElement constant, Void unused) {
    return constant.getSimpleName().toString();
  }

  @Override
  public String visitType(TypeMirror type, Void unused) {
    return typeName(type) + ".class";
  }

  @Override
  public String visitArray(List<? extends AnnotationValue> values, Void unused) {
    return values.stream().map(AttributeText::of).collect(Collectors.joining(", ", "{", "}"));
  }

  @Override
  public String visitAnnotation(AnnotationMirror annotation, Void unused) {
    String values =
        annotation.getElementValues().entrySet().stream()
            .map(e -> e.getKey().getSimpleName() + "=" + of(e.getValue()))
            .sorted()
            .collect(Collectors.joining(", ", "(", ")"));
    return "@" + typeName(annotation.getAnnotationType()) + values;
  }

  @Override
  protected String defaultAction(Object value, Void unused) {
    throw new IllegalArgumentException("an annotation value of unknown kind: " + value);
  }

  private static String typeName(TypeMirror type) {
    if (type instanceof DeclaredType declared
        && declared.asElement() instanceof TypeElement element) {
      return element.getQualifiedName().toString();
    }
    return type.toString();
  }

  private static String escape(String text) {
    StringBuilder escaped = new StringBuilder();
    for (char c : text.toCharArray()) {
      switch (c) {
        case '\\' -> escaped.append("\\\\");
        case '"' -> escaped.append("\\\"");
        case '\'' -> escaped.append("\\'");
        case '\n' -> escaped.append("\\n");
        case '\t' -> escaped.append("\\t");
        case '\r' -> escaped.append("\\r");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            escaped.append(String.format("\\u%04x", (int) c));
          } else {
            escaped.append(c);
          }
        }
      }
    }
    return escaped.toString();
  }
}
