package dev.kiln.processor.check;

import dev.kiln.Model;
import dev.kiln.processor.parse.Attributes;
import dev.kiln.processor.parse.ModelParser;
import java.util.List;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.Elements;

/**
 * Checks the {@code @Model} type itself: an interface, not generic, declaring its layers itself,
 * and {@code @Model}'s own attributes.
 */
public final class InterfaceValidator {

  private final Elements elements;

  public InterfaceValidator(Elements elements) {
    this.elements = elements;
  }

  /** Whether the type is an interface, without which its methods are not read as layers. */
  public static boolean isInterface(TypeElement type) {
    return type.getKind() == ElementKind.INTERFACE;
  }

  public Report validate(TypeElement type) {
    Attributes model = new Attributes(type, ModelParser.mirror(type, Model.class), elements);
    Report.Builder report = Report.about(type);
    if (!isInterface(type)) {
      report.error(
          Tag.NOT_AN_INTERFACE,
          "@Model goes on an interface whose methods are layers, but " + type.getSimpleName()
              + " is " + article(type.getKind()) + "; declare it as an interface",
          model.site());
      return report.build();
    }
    if (!type.getTypeParameters().isEmpty()) {
      report.error(
          Tag.GENERIC_MODEL,
          type.getSimpleName() + " has type parameters " + type.getTypeParameters() + ", but a"
              + " model's layers have fixed types; remove the type parameters",
          model.site());
    }
    for (TypeMirror parent : type.getInterfaces()) {
      report.error(
          Tag.INHERITANCE,
          type.getSimpleName() + " extends " + simpleName(parent) + ", but Kiln reads only the"
              + " layers an interface declares itself; declare every layer in " + type.getSimpleName()
              + " and remove the extends clause",
          model.site());
    }
    checkClassName(type, model, report);
    checkClassNameShadowsNothing(type, model, report);
    double learningRate = model.doubleValue("learningRate");
    if (!Double.isNaN(learningRate) && !(learningRate > 0 && !Double.isInfinite(learningRate))) {
      report.error(
          Tag.BAD_ATTRIBUTE,
          "learningRate = " + learningRate + ", but a learning rate must be a positive number;"
              + " use a value such as 1e-3, or leave it out for the optimizer's Keras default",
          model.site("learningRate"));
    }
    return report.build();
  }

  private static void checkClassName(TypeElement type, Attributes model, Report.Builder report) {
    String className = ModelParser.className(type, model);
    if (!SourceVersion.isName(className) || className.contains(".")) {
      report.error(
          Tag.BAD_ATTRIBUTE,
          "className \"" + className + "\" is not a simple Java class name; write a name such as"
              + " \"" + type.getSimpleName() + "Net\", without a package",
          model.site("className"));
    } else if (type.getNestingKind() == NestingKind.TOP_LEVEL
        && className.equals(type.getSimpleName().toString())) {
      report.error(
          Tag.NAME_CLASH,
          "className \"" + className + "\" is the name of the interface itself, and Kiln"
              + " generates a class of that name in the same package; choose another name, or"
              + " leave className out for \"" + className + "Model\"",
          model.site("className"));
    }
  }

  /**
   * The types the generated class always nests (emit's ModelWriter): Java forbids a class to
   * nest a type of its own name.
   */
  static final List<String> NESTED_TYPES =
      List.of("Activations", "Buffers", "Data", "Layers", "Outputs");

  /** The package of Kiln's annotations, enums and {@code Tensor}. */
  private static final String KILN_PACKAGE = "dev.kiln";

  /**
   * Refuses a class name the generated class cannot take: one of its own nested types', or a
   * type of {@code dev.kiln}, which a class of the interface's package would shadow in every
   * file that imports {@code dev.kiln.*} (a type of the same package wins over an import on
   * demand): {@code Dense} would turn each {@code @Dense} into the model class, {@code Tensor}
   * each layer's type.
   */
  private void checkClassNameShadowsNothing(
      TypeElement type, Attributes model, Report.Builder report) {
    String className = ModelParser.className(type, model);
    if (NESTED_TYPES.contains(className)) {
      report.error(
          Tag.NAME_CLASH,
          "className \"" + className + "\" is taken: the generated class nests a type of that"
              + " name (one of " + String.join(", ", NESTED_TYPES) + "), and a Java class cannot"
              + " nest a type of its own name; choose another name, such as \""
              + type.getSimpleName() + className + "\"",
          model.site("className"));
    } else if (elements.getTypeElement(KILN_PACKAGE + "." + className) != null) {
      report.error(
          Tag.NAME_CLASH,
          "className \"" + className + "\" is the name of " + KILN_PACKAGE + "." + className
              + ", and the generated class, in this package, would hide it from every file"
              + " here that uses import dev.kiln.*; choose another name, such as \""
              + type.getSimpleName() + "Model\"",
          model.site("className"));
    }
  }

  private static String simpleName(TypeMirror type) {
    return type instanceof DeclaredType declared
        ? declared.asElement().getSimpleName().toString()
        : type.toString();
  }

  private static String article(ElementKind kind) {
    String name = kind.toString().toLowerCase().replace('_', ' ');
    return ("aeiou".indexOf(name.charAt(0)) >= 0 ? "an " : "a ") + name;
  }
}
