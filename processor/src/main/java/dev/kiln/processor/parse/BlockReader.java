package dev.kiln.processor.parse;

import dev.kiln.Apply;
import dev.kiln.Bind;
import dev.kiln.Block;
import dev.kiln.Input;
import dev.kiln.Model;
import dev.kiln.Output;
import dev.kiln.SameWeightsAs;
import dev.kiln.processor.check.MethodValidator;
import dev.kiln.processor.check.Names;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.check.Site;
import dev.kiln.processor.check.Tag;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/**
 * Reads a {@code @Block} interface, or a {@code @Model} interface applied as a layer, into a
 * {@link BlockDecl}, and checks what can be checked once for every application: its methods as
 * Java, its references, its {@code @Bind}ings. Reads each interface once per compilation.
 */
public final class BlockReader {

  /**
   * A block as declared.
   *
   * @param type the interface
   * @param isModel whether it is a {@code @Model}
   * @param parameters its parameter annotation type, or null
   * @param inputs its input methods, in declaration order
   * @param members its other methods, in declaration order
   * @param outputs the names of its outputs: a model's {@code @Output}s, a block's layers that no
   *     other layer reads
   * @param errors what is wrong with it, reported on the block itself
   */
  public record BlockDecl(
      TypeElement type,
      boolean isModel,
      TypeElement parameters,
      List<ExecutableElement> inputs,
      List<ExecutableElement> members,
      List<String> outputs,
      Report errors) {

    public String name() {
      return type.getSimpleName().toString();
    }

    /** The method of this name, or null. */
    ExecutableElement method(String name) {
      for (ExecutableElement method : ModelParser.layerMethods(type)) {
        if (method.getSimpleName().contentEquals(name)) {
          return method;
        }
      }
      return null;
    }
  }

  private final Elements elements;
  private final Types types;
  private final MethodValidator methods;
  private final Map<String, BlockDecl> read = new HashMap<>();

  public BlockReader(Elements elements, Types types, MethodValidator methods) {
    this.elements = elements;
    this.types = types;
    this.methods = methods;
  }

  /** Whether {@code type} can be applied: a {@code @Block} or {@code @Model} interface. */
  public static boolean isBlock(TypeElement type) {
    return type.getKind() == ElementKind.INTERFACE
        && (ModelParser.mirror(type, Block.class) != null || ModelParser.mirror(type, Model.class) != null);
  }

  public BlockDecl read(TypeElement type) {
    return read.computeIfAbsent(type.getQualifiedName().toString(), name -> readOnce(type));
  }

  private BlockDecl readOnce(TypeElement type) {
    Report.Builder report = Report.about(type);
    if (type.getKind() != ElementKind.INTERFACE) {
      report.error(Tag.NOT_AN_INTERFACE,
          "@Block goes on an interface whose methods are layers, but " + type.getSimpleName()
              + " is a " + type.getKind().toString().toLowerCase().replace('_', ' ')
              + "; declare it as an interface",
          Site.of(type));
      return new BlockDecl(type, false, null, List.of(), List.of(), List.of(), report.build());
    }
    report.add(methods.validate(type));
    boolean isModel = ModelParser.mirror(type, Block.class) == null;
    TypeElement parameters = isModel ? null : parameterType(type);
    List<ExecutableElement> inputs = new ArrayList<>();
    List<ExecutableElement> members = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ExecutableElement method : ModelParser.layerMethods(type)) {
      names.add(method.getSimpleName().toString());
      (ModelParser.mirror(method, Input.class) != null ? inputs : members).add(method);
    }
    Set<String> read = new HashSet<>();
    for (ExecutableElement method : ModelParser.layerMethods(type)) {
      for (InputRef input : ModelParser.inputs(method, elements)) {
        read.add(input.layer());
        if (!names.contains(input.layer())) {
          report.error(Tag.UNKNOWN_LAYER,
              method.getSimpleName() + " reads from " + input.layer() + ", but " + type.getSimpleName()
                  + " declares no layer of that name" + Names.suggestion(input.layer(),
                      names.stream().filter(name -> !method.getSimpleName().contentEquals(name)).toList(),
                      "; a block's layers read only its inputs and its other layers"),
              input.site());
        }
      }
      AnnotationMirror sharing = ModelParser.mirror(method, SameWeightsAs.class);
      if (sharing != null) {
        String owner = new Attributes(method, sharing, elements).stringValue("value");
        if (!names.contains(owner)) {
          report.error(Tag.UNKNOWN_LAYER,
              method.getSimpleName() + " uses the weights of " + owner + ", but " + type.getSimpleName()
                  + " declares no layer of that name" + Names.suggestion(owner, names,
                      "; inside a block, @SameWeightsAs names another layer of the block"),
              new Attributes(method, sharing, elements).site("value"));
        }
      }
      checkBindings(type, method, parameters, report);
    }
    List<String> outputs = new ArrayList<>();
    for (ExecutableElement method : members) {
      String name = method.getSimpleName().toString();
      if (isModel ? ModelParser.mirror(method, Output.class) != null : !read.contains(name)) {
        outputs.add(name);
      }
    }
    if (outputs.isEmpty() && !members.isEmpty()) {
      report.error(Tag.NO_OUTPUT,
          type.getSimpleName() + " has no output: every layer of it is read by another, so the"
              + " layers form a cycle; a block's outputs are the layers no other of its layers reads",
          Site.of(type));
    }
    return new BlockDecl(type, isModel, parameters, inputs, members, outputs, report.build());
  }

  /** {@code @Block(parameters = ...)}, or null for a block without parameters. */
  private TypeElement parameterType(TypeElement type) {
    AnnotationMirror block = ModelParser.mirror(type, Block.class);
    Object value = new Attributes(type, block, elements).value("parameters").getValue();
    TypeElement parameters = (TypeElement) types.asElement((TypeMirror) value);
    return parameters.getQualifiedName().contentEquals(Block.NoParameters.class.getCanonicalName())
        ? null
        : parameters;
  }

  /** Each {@code @Bind} names a parameter of the block, for an attribute of the layer, of its type. */
  private void checkBindings(TypeElement block, ExecutableElement method, TypeElement parameters,
      Report.Builder report) {
    AnnotationMirror bind = ModelParser.mirror(method, Bind.class);
    if (bind == null) {
      return;
    }
    Attributes binding = new Attributes(method, bind, elements);
    AnnotationMirror layer = ModelParser.layerAnnotation(method);
    Map<String, ExecutableElement> declared = parameters == null ? Map.of() : elementsOf(parameters);
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> entry
        : bind.getElementValues().entrySet()) {
      String attribute = entry.getKey().getSimpleName().toString();
      String parameter = (String) entry.getValue().getValue();
      Site site = binding.site(attribute);
      if (parameters == null) {
        report.error(Tag.BAD_BINDING,
            method.getSimpleName() + " binds " + attribute + " to parameter " + parameter + ", but "
                + block.getSimpleName() + " declares no parameters; name an annotation type with"
                + " that element in @Block(parameters = ...), or remove @Bind",
            site);
        continue;
      }
      ExecutableElement element = declared.get(parameter);
      if (element == null) {
        report.error(Tag.BAD_BINDING,
            method.getSimpleName() + " binds " + attribute + " to parameter \"" + parameter + "\", but @"
                + parameters.getSimpleName() + " has no element of that name"
                + Names.suggestion(parameter, declared.keySet(),
                    "; use one of " + declared.keySet()),
            site);
        continue;
      }
      ExecutableElement target = layer == null ? null : elementsOf(
          (TypeElement) layer.getAnnotationType().asElement()).get(attribute);
      if (target == null) {
        report.error(Tag.BAD_BINDING,
            method.getSimpleName() + " binds " + attribute + ", but its layer annotation has no"
                + " attribute of that name; bind an attribute the layer has, or remove it",
            site);
      } else if (!fits(element.getReturnType(), target.getReturnType())) {
        report.error(Tag.BAD_BINDING,
            method.getSimpleName() + " binds " + attribute + " (" + target.getReturnType() + ") to @"
                + parameters.getSimpleName() + "." + parameter + ", which is " + element.getReturnType()
                + "; declare " + parameter + " as " + target.getReturnType() + " in @"
                + parameters.getSimpleName(),
            site);
      }
    }
  }

  /** Whether a parameter of type {@code given} can fill an attribute of type {@code wanted}. */
  private boolean fits(TypeMirror given, TypeMirror wanted) {
    if (types.isSameType(given, wanted)) {
      return true;
    }
    return wanted.getKind() == TypeKind.ARRAY
        && types.isSameType(given, ((ArrayType) wanted).getComponentType());
  }

  /** The elements of an annotation type, by name. */
  static Map<String, ExecutableElement> elementsOf(TypeElement annotation) {
    Map<String, ExecutableElement> byName = new LinkedHashMap<>();
    for (ExecutableElement element : ElementFilter.methodsIn(annotation.getEnclosedElements())) {
      byName.put(element.getSimpleName().toString(), element);
    }
    return byName;
  }

  /** The {@code @Apply} value of {@code method}: the applied interface, or null if it is no type. */
  static TypeElement applied(ExecutableElement method, Elements elements) {
    AnnotationMirror apply = ModelParser.mirror(method, Apply.class);
    Object value = new Attributes(method, apply, elements).value("value").getValue();
    return value instanceof DeclaredType declared ? (TypeElement) declared.asElement() : null;
  }
}
