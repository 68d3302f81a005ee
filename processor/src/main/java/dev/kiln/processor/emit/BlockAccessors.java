package dev.kiln.processor.emit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.kiln.processor.parse.Application;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.lang.model.element.Modifier;

/**
 * Typed access that follows the nesting of blocks: {@code activations(x).stage3().conv2()}, {@code
 * layers().stage3().conv2().kernel()}. One record per applied block type, with a component per
 * layer of the block (a nested application's record for a block inside it); each application is
 * one instance of its block's record.
 */
final class BlockAccessors {

  private final Network network;
  private final ClassName model;
  private final String suffix;
  private final Function<LayerDecl, TypeName> memberType;
  private final Function<Node, CodeBlock> memberValue;
  private final Map<String, LayerDecl> layers = new HashMap<>();
  /** Record type by block's qualified name; {@code null} for a block with no component. */
  private final Map<String, TypeName> types = new HashMap<>();
  private final Map<String, TypeSpec> specs = new LinkedHashMap<>();

  /**
   * @param suffix the records' names follow the block's: {@code BottleneckActivations}
   * @param memberType the type of a layer's component, or null for a layer without one
   * @param memberValue the value of a layer's component
   */
  BlockAccessors(Network network, ClassName model, String suffix,
      Function<LayerDecl, TypeName> memberType, Function<Node, CodeBlock> memberValue) {
    this.network = network;
    this.model = model;
    this.suffix = suffix;
    this.memberType = memberType;
    this.memberValue = memberValue;
    network.model().layers().forEach(layer -> layers.put(layer.name(), layer));
  }

  /** The applications at the top of the model, in declaration order. */
  List<Application> topLevel() {
    return network.model().applications().stream().filter(app -> app.parent() == null).toList();
  }

  /** Whether a node is reached through an application's record rather than on its own. */
  boolean isInsideApplication(Node node) {
    return network.model().isInsideApplication(node.name());
  }

  /** The record type of {@code application}'s block, or null when it would have no component. */
  TypeName typeOf(Application application) {
    String key = application.block().getQualifiedName().toString();
    if (!types.containsKey(key)) {
      types.put(key, null); // A block does not contain itself, so the recursion ends.
      types.put(key, declare(application));
    }
    return types.get(key);
  }

  /** {@code new BottleneckActivations(...)} for one application. */
  CodeBlock valueOf(Application application) {
    List<CodeBlock> values = new ArrayList<>();
    for (String member : application.members()) {
      Application nested = network.model().nested(application, member);
      if (nested != null) {
        if (typeOf(nested) != null) {
          values.add(valueOf(nested));
        }
      } else if (memberType.apply(layers.get(member)) != null) {
        Node node = network.node(member);
        values.add(node == null ? CodeBlock.of("null") : memberValue.apply(node));
      }
    }
    return CodeBlock.of("new $T($L)", typeOf(application), CodeBlock.join(values, ", "));
  }

  /** The records declared so far, to nest in the model class. */
  List<TypeSpec> types() {
    return List.copyOf(specs.values());
  }

  private TypeName declare(Application application) {
    MethodSpec.Builder components = MethodSpec.constructorBuilder();
    boolean any = false;
    for (int i = 0; i < application.members().size(); i++) {
      String member = application.members().get(i);
      String local = application.locals().get(i);
      Application nested = network.model().nested(application, member);
      TypeName type = nested != null ? typeOf(nested) : memberType.apply(layers.get(member));
      if (type != null) {
        components.addParameter(type, local);
        any = true;
      }
    }
    if (!any) {
      return null;
    }
    String name = application.blockName() + suffix;
    while (specs.containsKey(name) || name.equals(model.simpleName())) {
      name = name + "_";
    }
    ClassName type = model.nestedClass(name);
    specs.put(name, TypeSpec.recordBuilder(type)
        .addModifiers(Modifier.PUBLIC)
        .addJavadoc("The $L of one application of {@link $T}, named as the block names its layers.\n",
            suffix.toLowerCase(), ClassName.get(application.block()))
        .recordConstructor(components.build())
        .build());
    return type;
  }
}
