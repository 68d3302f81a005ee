package dev.kiln.examples;

import dev.kiln.examples.RandomValidModels.Layer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Layers of a random model that {@link RandomValidModels} writes as a block and applies in their
 * place, with what real blocks have: inputs whose sizes are left open, attributes bound to the
 * block's parameters and given where it is applied, a block nested inside, or a one-layer block
 * applied again with its weights by {@code @SameWeightsAs} alone. The network stays the same;
 * only its names change: {@code exit/layer}, {@code exit/inner/layer}.
 */
final class RandomBlock {

  /** Attribute values a block may take from its parameters: the attribute and the type it has. */
  private static final Map<Pattern, String> BINDABLE = Map.of(
      Pattern.compile("\\b(units|filters) = (\\d+)"), "int",
      Pattern.compile("\\b(rate) = ([0-9.]+)"), "double",
      Pattern.compile("\\b(activation) = ([A-Z_]+)"), "Activation");

  private final RandomValidModels generator;
  /** The model's layers, to find who reads what. */
  private final List<Layer> model;
  /** The layers the block may take: the model's, or the enclosing block's members. */
  private final List<Layer> scope;

  /** The block's layers in the model's order; {@link #exit} is the one read from outside. */
  private final List<Layer> members = new ArrayList<>();
  private Layer exit;
  /** Layers that apply this block again with its weights, by {@code @SameWeightsAs} alone. */
  private final List<Layer> sharedApplications = new ArrayList<>();
  /** The tensors from outside the block its layers read, which become its inputs. */
  private final List<Layer> inputs = new ArrayList<>();
  /** Each input's declared shape: the tensor's, with some sizes left open. */
  private final List<int[]> inputShapes = new ArrayList<>();
  /** A block cut from this one's members and applied inside it, or null. */
  private RandomBlock nested;
  /** Whether {@link #nested} has a parameter type of its own, or takes this block's values. */
  private boolean nestedOwnsParameters;
  /** Attributes bound to parameters, by member; those of a nested block that inherits included. */
  private final Map<Layer, Binding> bindings = new LinkedHashMap<>();
  private String name;

  /** {@code units = 12} of a member, bound to parameter {@code p0} of type {@code int}. */
  private record Binding(String attribute, String parameter, String type, String value) {}

  private RandomBlock(RandomValidModels generator, List<Layer> model, List<Layer> scope) {
    this.generator = generator;
    this.model = model;
    this.scope = scope;
  }

  /**
   * A block cut from the model's layers, or null where none can be: a layer and some of the
   * layers behind it, or a layer whose weights others use, which they then apply again.
   */
  static RandomBlock cut(RandomValidModels generator, List<Layer> layers, String modelName) {
    RandomBlock block = new RandomBlock(generator, layers, layers);
    List<Layer> owners = layers.stream().filter(block::canShareAsBlock).toList();
    if (!owners.isEmpty() && generator.chance(0.5)) {
      block.shareAsBlock(generator.pick(owners));
    } else if (!block.growFromExit()) {
      return null;
    } else if (block.members.size() > 1 && generator.chance(0.6)) {
      block.nest();
    }
    block.name(modelName);
    block.bindSome();
    return block;
  }

  // ---- cutting ----

  /** Grows the block from a random exit through reads that nothing outside it reads. */
  private boolean growFromExit() {
    List<Layer> exits = scope.stream().filter(this::canJoin).toList();
    if (exits.isEmpty()) {
      return false;
    }
    exit = generator.pick(exits);
    members.add(exit);
    for (int i = 0; i < members.size(); i++) {
      for (Layer read : members.get(i).reads) {
        if (!members.contains(read) && scope.contains(read) && canJoin(read) && read.output == null
            && readers(read).stream().allMatch(members::contains) && generator.chance(0.7)) {
          members.add(read);
        }
      }
    }
    members.sort(Comparator.comparingInt(model::indexOf));
    for (Layer member : members) {
      for (Layer read : member.reads) {
        if (!members.contains(read) && !inputs.contains(read)) {
          inputs.add(read);
          int[] declared = read.shape.clone();
          for (int axis = 0; axis < declared.length; axis++) {
            if (generator.chance(0.5)) {
              declared[axis] = FuzzShapes.VARIABLE; // Open: the application takes the size.
            }
          }
          inputShapes.add(declared);
        }
      }
    }
    return true;
  }

  /** A block inside this one, cut from its members other than the exit. */
  private void nest() {
    List<Layer> inner = members.stream().filter(member -> member != exit).toList();
    RandomBlock candidate = new RandomBlock(generator, model, inner);
    if (candidate.growFromExit()) {
      nested = candidate;
      nestedOwnsParameters = generator.chance(0.4);
    }
  }

  /** A layer that may be part of a block: computed, and neither sharing weights nor shared. */
  private boolean canJoin(Layer layer) {
    return !layer.isInput()
        && layer.sharesWeightsOf == null
        && model.stream().noneMatch(other -> other.sharesWeightsOf == layer);
  }

  /**
   * Whether a layer whose weights others use can become a one-layer block that they apply again
   * with {@code @SameWeightsAs} alone: each reads its tensors in the same pattern.
   */
  private boolean canShareAsBlock(Layer owner) {
    List<Layer> users = users(owner);
    return !owner.isInput() && owner.sharesWeightsOf == null && !users.isEmpty()
        && users.stream().allMatch(user -> readPattern(user).equals(readPattern(owner)) && !user.frozen
            && ranks(user).equals(ranks(owner)));
  }

  /** The owner as a one-layer block; its users apply it again with its weights. */
  private void shareAsBlock(Layer owner) {
    exit = owner;
    members.add(owner);
    sharedApplications.addAll(users(owner));
    for (Layer read : owner.reads) {
      if (!inputs.contains(read)) {
        inputs.add(read);
      }
    }
    for (Layer input : inputs) {
      int at = owner.reads.indexOf(input);
      int[] declared = input.shape.clone();
      for (int axis = 0; axis < declared.length; axis++) {
        boolean same = true;
        for (Layer user : sharedApplications) {
          same &= user.reads.get(at).shape[axis] == declared[axis];
        }
        if (!same || generator.chance(0.5)) {
          declared[axis] = FuzzShapes.VARIABLE; // Open: each application takes its own size.
        }
      }
      inputShapes.add(declared);
    }
  }

  /**
   * Binds some members' sizes, rates and activations to parameters {@code p0, p1, ...}: this
   * block's own members first, then a nested block's, to its own parameters or to this block's.
   */
  private void bindSome() {
    int next = 0;
    for (Layer member : members) {
      if (nested == null || !nested.members.contains(member)) {
        next = bind(member, next);
      }
    }
    if (nested != null) {
      nested.name = name + capitalized(nested.exit.name);
      if (nestedOwnsParameters) {
        nested.bindSome();
      } else {
        for (Layer member : nested.members) {
          next = bind(member, next);
        }
      }
    }
  }

  private int bind(Layer member, int next) {
    String annotation = member.kind.annotation();
    if (annotation.startsWith("@TimeDistributed") || annotation.startsWith("@Bidirectional")
        || !generator.chance(0.5)) {
      return next;
    }
    List<Map.Entry<Pattern, String>> fitting = BINDABLE.entrySet().stream()
        .filter(entry -> entry.getKey().matcher(annotation).find())
        .sorted(Map.Entry.comparingByValue())
        .toList();
    if (fitting.isEmpty()) {
      return next;
    }
    Map.Entry<Pattern, String> chosen = generator.pick(fitting);
    Matcher matcher = chosen.getKey().matcher(annotation);
    matcher.find();
    bindings.put(member, new Binding(matcher.group(1), "p" + next, chosen.getValue(), matcher.group(2)));
    return next + 1;
  }

  private void name(String modelName) {
    name = modelName + capitalized(exit.name);
  }

  private static String capitalized(String name) {
    return Character.toUpperCase(name.charAt(0)) + name.substring(1);
  }

  private List<Layer> users(Layer owner) {
    return model.stream().filter(layer -> layer.sharesWeightsOf == owner).toList();
  }

  private List<Layer> readers(Layer layer) {
    return model.stream().filter(other -> other.reads.contains(layer)).toList();
  }

  /** The ranks of the tensors it reads: a block fixes its inputs' ranks. */
  private static List<Integer> ranks(Layer layer) {
    return layer.reads.stream().map(read -> read.shape.length).toList();
  }

  /** Which of its reads repeat an earlier one: {@code [0, 0]} for one tensor read twice. */
  private static List<Integer> readPattern(Layer layer) {
    return layer.reads.stream().map(read -> layer.reads.indexOf(read)).toList();
  }

  // ---- what the model sees ----

  boolean contains(Layer layer) {
    return members.contains(layer);
  }

  boolean isExit(Layer layer) {
    return layer == exit;
  }

  boolean appliesAgain(Layer layer) {
    return sharedApplications.contains(layer);
  }

  /** The name the model gives {@code layer}: {@code exit/layer}, {@code exit/inner/layer}. */
  String modelName(Layer layer) {
    return prefix(layer) + layer.name;
  }

  private String prefix(Layer layer) {
    if (!members.contains(layer) || layer == exit) {
      return "";
    }
    return exit.name + "/" + (nested == null ? "" : nested.prefix(layer));
  }

  /** Coverage names of what this block uses. */
  void markFeatures(Set<String> features) {
    features.add("block");
    if (!sharedApplications.isEmpty()) {
      features.add("block applied again with its weights");
    }
    if (inputShapes.stream().anyMatch(shape -> Arrays.stream(shape).anyMatch(d -> d == FuzzShapes.VARIABLE))) {
      features.add("block with open sizes");
    }
    if (nested != null) {
      features.add("nested block");
    }
    if (!bindings.isEmpty() || nested != null && !nested.bindings.isEmpty()) {
      features.add("block with parameters");
    }
    if (nested != null && !nestedOwnsParameters
        && nested.members.stream().anyMatch(bindings::containsKey)) {
      features.add("nested block taking the enclosing parameters");
    }
  }

  // ---- rendering ----

  /** The parameter types and block interfaces, nested ones first. */
  void renderDeclarations(StringBuilder source) {
    if (nested != null) {
      if (nestedOwnsParameters) {
        nested.renderParameterType(source, nested.bindings);
      }
      if (nestedOwnsParameters) {
        nested.renderInterface(source, nested.bindings, nested.parameterType());
      } else {
        nested.renderInterface(source, ownAndInherited(nested), parameterType());
      }
    }
    renderParameterType(source, bindings);
    renderInterface(source, bindings, parameterType());
  }

  private Map<Layer, Binding> ownAndInherited(RandomBlock inner) {
    Map<Layer, Binding> inherited = new LinkedHashMap<>();
    bindings.forEach((member, binding) -> {
      if (inner.members.contains(member)) {
        inherited.put(member, binding);
      }
    });
    return inherited;
  }

  private String parameterType() {
    return name + "Params";
  }

  private void renderParameterType(StringBuilder source, Map<Layer, Binding> declared) {
    if (declared.isEmpty()) {
      return;
    }
    source.append("\n@interface ").append(parameterType()).append(" {");
    declared.values().forEach(binding ->
        source.append(" ").append(binding.type()).append(" ").append(binding.parameter()).append("();"));
    source.append(" }\n");
  }

  /**
   * The block interface; {@code bound} says which of its members' attributes come from
   * parameters of {@code parameterType}: this block's, or for a nested block that inherits, the
   * enclosing one's.
   */
  private void renderInterface(StringBuilder source, Map<Layer, Binding> bound, String parameterType) {
    source.append("\n@Block").append(bound.isEmpty() ? "" : "(parameters = " + parameterType + ".class)")
        .append("\ninterface ").append(name).append(" {\n");
    for (int i = 0; i < inputs.size(); i++) {
      source.append("  @Input(shape = {")
          .append(Arrays.stream(inputShapes.get(i)).mapToObj(Integer::toString)
              .collect(Collectors.joining(", ")))
          .append("}").append(inputs.get(i).tokens ? ", dtype = INT32" : "").append(") Tensor in")
          .append(i).append("();\n");
    }
    for (Layer member : members) {
      if (nested != null && nested.members.contains(member)) {
        if (nested.isExit(member)) {
          source.append("  @Apply(").append(nested.name).append(".class)");
          if (nestedOwnsParameters && !nested.bindings.isEmpty()) {
            source.append(" ").append(nested.parameterValues(nested.bindings));
          }
          source.append("\n  Tensor ").append(member.name).append("(")
              .append(nested.inputs.stream().map(input -> "Tensor " + localName(input))
                  .collect(Collectors.joining(", ")))
              .append(");\n");
        }
        continue;
      }
      source.append(member.frozen ? "  @Frozen\n" : "");
      Binding binding = bound.get(member);
      source.append("  ").append(binding == null ? member.kind.annotation() : placeholder(member, binding));
      if (binding != null) {
        source.append(" @Bind(").append(binding.attribute()).append(" = \"")
            .append(binding.parameter()).append("\")");
      }
      source.append("\n  Tensor ").append(member.name).append("(")
          .append(RandomModelSource.parameters(member, this::localName))
          .append(");\n");
    }
    source.append("}\n");
  }

  /** A tensor as this block calls it: {@code in<i>} for an input, else its own name. */
  private String localName(Layer read) {
    return inputs.contains(read) ? "in" + inputs.indexOf(read) : read.name;
  }

  /**
   * The member's annotation with the bound value replaced by another, so that a binding that
   * did not take would change the network.
   */
  private static String placeholder(Layer member, Binding binding) {
    String other = switch (binding.type()) {
      case "int" -> binding.value().equals("1") ? "2" : "1";
      case "double" -> binding.value().equals("0.0") ? "0.5" : "0.0";
      default -> binding.value().equals("LINEAR") ? "RELU" : "LINEAR";
    };
    return member.kind.annotation().replaceFirst(
        "\\b" + binding.attribute() + " = " + Pattern.quote(binding.value()),
        binding.attribute() + " = " + other);
  }

  /** {@code @BlockParams(p0 = 12, p1 = RELU)}. */
  private String parameterValues(Map<Layer, Binding> values) {
    return "@" + parameterType() + "(" + values.values().stream()
        .map(binding -> binding.parameter() + " = " + binding.value())
        .collect(Collectors.joining(", ")) + ")";
  }

  /** The application in the model, where the exit was; with parameter values if it has any. */
  void renderApplication(StringBuilder source, Layer layer) {
    if (layer.output != null) {
      source.append("  ").append(layer.output).append("\n");
    }
    List<Layer> distinct = layer.reads.stream().distinct().toList();
    if (sharedApplications.contains(layer)) {
      source.append("  @SameWeightsAs(\"").append(exit.name).append("\")\n  Tensor ")
          .append(layer.name).append("(").append(distinct.stream().map(input -> "Tensor " + input.name)
              .collect(Collectors.joining(", "))).append(");\n");
      return;
    }
    source.append("  @Apply(").append(name).append(".class)");
    if (!bindings.isEmpty()) {
      source.append(" ").append(parameterValues(bindings));
    }
    source.append("\n  Tensor ").append(layer.name).append("(")
        .append(inputs.stream().map(input -> "Tensor " + input.name).collect(Collectors.joining(", ")))
        .append(");\n");
  }
}
