package dev.kiln.processor.emit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * One list argument of a model's {@code SPEC}: {@code List.of(...)} in place, or, in a large
 * model, a call of a static method that builds it (in parts if need be), since the class
 * initializer is one method and as bounded in size as any.
 *
 * @param element the type of the elements
 * @param method the name of the building method
 * @param noun what the list holds, for Javadoc ("parameter specs")
 * @param layers the layer each element is about, for the parts' Javadoc
 * @param elements the elements' expressions
 */
record SpecList(
    ClassName element, String method, String noun, List<String> layers, List<CodeBlock> elements) {

  private static final ClassName STRING = ClassName.get(String.class);

  /** The characters of the elements' code, types written in full. */
  long size() {
    return elements.stream().mapToLong(element -> element.toString().length()).sum();
  }

  /**
   * The expression of the list: in place unless the model is {@code large} and the list a large
   * share of it, in which case the method building it (and its parts) join {@code type}.
   */
  CodeBlock argument(TypeSpec.Builder type, boolean large) {
    if (!large || size() <= CodeParts.BUDGET / 4) {
      // A list of names fits on a line; a list of specs takes one line each.
      return element.equals(STRING)
          ? CodeBlock.of("$T.of($L)", List.class, CodeBlock.join(elements, ", "))
          : CodeBlock.of("$T.of(\n$>$L)$<", List.class, CodeBlock.join(elements, ",\n"));
    }
    TypeName listType = ParameterizedTypeName.get(ClassName.get(List.class), element);
    MethodSpec partSignature = MethodSpec.methodBuilder(method)
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addParameter(listType, "specs")
        .build();
    List<CodeParts.Piece> additions = new ArrayList<>();
    for (int i = 0; i < elements.size(); i++) {
      additions.add(new CodeParts.Piece(layers.get(i), CodeBlock.of("specs.add($L);\n", elements.get(i))));
    }
    CodeParts.Split split = CodeParts.split(partSignature, method, "The " + noun + " of", additions);
    type.addMethod(MethodSpec.methodBuilder(method)
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .returns(listType)
        .addJavadoc("The model's $L, built here: the class initializer could not hold them all.\n", noun)
        .addStatement("$T specs = new $T<>()", listType, ArrayList.class)
        .addCode(split.body())
        .addStatement("return specs")
        .build());
    type.addMethods(split.parts());
    return CodeBlock.of("$N()", method);
  }
}
