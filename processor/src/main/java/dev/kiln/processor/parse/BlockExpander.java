package dev.kiln.processor.parse;

import dev.kiln.Apply;
import dev.kiln.Bind;
import dev.kiln.Frozen;
import dev.kiln.Input;
import dev.kiln.Output;
import dev.kiln.SameWeightsAs;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.check.Site;
import dev.kiln.processor.check.Tag;
import dev.kiln.processor.parse.BlockReader.BlockDecl;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.Elements;

/**
 * Writes each application of a block out as the block's layers, named {@code application/layer},
 * so that every later stage (graph checks, shapes, code) sees an ordinary model. Sizes the block
 * leaves open are inferred per application, since each application's layers read the tensors it
 * is applied to; the block's parameters are put into its layers' attributes. Every diagnostic
 * about an application's layers points at the application in the model, with a note where the
 * block declares the layer.
 */
final class BlockExpander {

  /**
   * One application being written out.
   *
   * @param top the model's method the application comes from: diagnostics point there
   * @param site the {@code @Apply} of the top application
   * @param name the application's full name
   * @param path {@code stage3 -> inner}, for messages
   * @param output the model's {@code @Output} on the application, or null
   * @param weightsOf the application whose weights this one uses, or null
   * @param sharing the {@code @SameWeightsAs} that says so, or null
   * @param frozen whether the application is {@code @Frozen}
   * @param parent the application this one is nested in, or null
   * @param enclosing the parameter type and values of the application this one is nested in, or
   *     null: a nested block with the same parameter type and none of its own takes them
   */
  private record Context(
      ExecutableElement top,
      Site site,
      String name,
      String path,
      OutputDecl output,
      String weightsOf,
      Attributes sharing,
      boolean frozen,
      String parent,
      Enclosing enclosing) {}

  /** The parameters of an application, as the applications nested in it may inherit them. */
  private record Enclosing(TypeElement type, Parameters parameters) {}

  private final Elements elements;
  private final BlockReader blocks;
  private final TypeElement model;
  private final Report.Builder report;
  private final List<Application> applications = new ArrayList<>();

  BlockExpander(Elements elements, BlockReader blocks, TypeElement model, Report.Builder report) {
    this.elements = elements;
    this.blocks = blocks;
    this.model = model;
    this.report = report;
  }

  /** Whether {@code method} applies a block: by {@code @Apply}, or by sharing an application's weights. */
  static boolean isApplication(ExecutableElement method, TypeElement type) {
    if (ModelParser.mirror(method, Apply.class) != null) {
      return true;
    }
    ExecutableElement owner = owner(method, type);
    return ModelParser.layerAnnotation(method) == null && owner != null
        && ModelParser.mirror(owner, Apply.class) != null;
  }

  /**
   * For a method with {@code @SameWeightsAs} and no layer annotation: the method of the layer
   * whose annotation it takes, or null if there is none.
   */
  static ExecutableElement sharedMethod(ExecutableElement method, TypeElement type) {
    ExecutableElement owner = owner(method, type);
    return owner != null && ModelParser.layerAnnotation(owner) != null ? owner : null;
  }

  /** A method sharing the weights of a layer that does not exist, or has no annotation to take. */
  static MethodDecl unknownOwner(ExecutableElement method, List<InputRef> inputs, Report.Builder report) {
    AnnotationMirror sharing = ModelParser.mirror(method, SameWeightsAs.class);
    report.error(Tag.MISSING_LAYER_ANNOTATION,
        method.getSimpleName() + " has no layer annotation and @SameWeightsAs names no layer or"
            + " application that has one to take; name a layer with its own annotation, or"
            + " annotate " + method.getSimpleName() + " itself",
        sharing == null ? Site.of(method) : Site.of(method, sharing));
    return new Unreadable(method.getSimpleName().toString(), method, inputs, true,
        ModelParser.mirror(method, Output.class) != null);
  }

  /** The method named by {@code method}'s {@code @SameWeightsAs} in {@code type}, or null. */
  private static ExecutableElement owner(ExecutableElement method, TypeElement type) {
    AnnotationMirror sharing = ModelParser.mirror(method, SameWeightsAs.class);
    if (sharing == null) {
      return null;
    }
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> entry
        : sharing.getElementValues().entrySet()) {
      String name = String.valueOf(entry.getValue().getValue());
      for (ExecutableElement candidate : ModelParser.layerMethods(type)) {
        if (candidate.getSimpleName().contentEquals(name) && !candidate.equals(method)) {
          return candidate;
        }
      }
    }
    return null;
  }

  List<Application> applications() {
    return applications;
  }

  /** The layers of the application {@code method} of the model, read from {@code inputs}. */
  List<MethodDecl> expand(ExecutableElement method, List<InputRef> inputs) {
    List<MethodDecl> out = new ArrayList<>();
    String name = method.getSimpleName().toString();
    ExecutableElement applying = ModelParser.mirror(method, Apply.class) != null
        ? method
        : owner(method, model);
    AnnotationMirror apply = ModelParser.mirror(applying, Apply.class);
    Site site = Site.of(method, ModelParser.mirror(method, Apply.class) != null
        ? apply
        : ModelParser.mirror(method, SameWeightsAs.class));
    AnnotationMirror sharingMirror = ModelParser.mirror(method, SameWeightsAs.class);
    Attributes sharing = sharingMirror == null ? null : new Attributes(method, sharingMirror, elements);
    AnnotationMirror output = ModelParser.mirror(method, Output.class);
    Context context = new Context(
        method,
        site,
        name,
        name,
        output == null ? null : ModelParser.output(new Attributes(method, output, elements)),
        sharing == null ? null : sharing.stringValue("value"),
        sharing,
        ModelParser.mirror(method, Frozen.class) != null,
        null,
        null);
    if (sharing != null && !sharesSameBlock(method, applying)) {
      return List.of(unreadable(context, inputs));
    }
    expandInto(out, context, applying, inputs, new ArrayDeque<>());
    return out;
  }

  /** An application sharing weights must share those of an application of the same block. */
  private boolean sharesSameBlock(ExecutableElement method, ExecutableElement applying) {
    ExecutableElement owner = owner(method, model);
    TypeElement block = BlockReader.applied(applying, elements);
    if (owner != null && ModelParser.mirror(owner, Apply.class) != null
        && block != null && block.equals(BlockReader.applied(owner, elements))) {
      return true;
    }
    Attributes sharing = new Attributes(method, ModelParser.mirror(method, SameWeightsAs.class), elements);
    report.error(Tag.SHARED_WEIGHTS_MISMATCH,
        method.getSimpleName() + " applies " + (block == null ? "a block" : block.getSimpleName())
            + " with the weights of " + sharing.stringValue("value") + ", which is no application of"
            + " the same block; name an application of " + (block == null ? "it" : block.getSimpleName())
            + ", or remove @SameWeightsAs",
        sharing.site("value"));
    return false;
  }

  private void expandInto(List<MethodDecl> out, Context context, ExecutableElement applying,
      List<InputRef> inputs, Deque<String> stack) {
    TypeElement type = BlockReader.applied(applying, elements);
    if (type == null || !BlockReader.isBlock(type)) {
      report.error(Tag.NOT_A_BLOCK,
          context.path() + " applies " + (type == null ? "a type that is no interface" : type.getSimpleName())
              + ", which is neither a @Block nor a @Model interface, so it has no layers to apply;"
              + " annotate it with @Block, or apply another",
          context.site());
      out.add(unreadable(context, inputs));
      return;
    }
    String qualified = type.getQualifiedName().toString();
    if (stack.contains(qualified) || type.equals(model)) {
      List<String> cycle = new ArrayList<>();
      stack.descendingIterator().forEachRemaining(name -> cycle.add(simple(name)));
      cycle.add(type.getSimpleName().toString());
      report.error(Tag.CYCLE,
          context.path() + " applies " + type.getSimpleName() + ", which contains itself: "
              + (stack.isEmpty() ? model.getSimpleName() + " -> " : "") + String.join(" -> ", cycle)
              + "; a block cannot apply itself, directly or through others, so build the"
              + " repetition from separate applications",
          context.site());
      out.add(unreadable(context, inputs));
      return;
    }
    BlockDecl block = blocks.read(type);
    if (block.errors().hasErrors()) {
      report.error(Tag.BLOCK_HAS_ERRORS,
          context.path() + " applies " + block.name() + ", which has errors of its own (reported"
              + " on " + block.name() + "); fix them first",
          context.site());
      out.add(unreadable(context, inputs));
      return;
    }
    if (inputs.size() != block.inputs().size()) {
      report.error(Tag.ARITY,
          context.path() + " applies " + block.name() + ", which takes " + count(block.inputs().size())
              + " " + names(block.inputs()) + ", but it is given " + inputs.size() + "; pass one"
              + " tensor per input of " + block.name() + ", in its order",
          context.site());
      out.add(unreadable(context, inputs));
      return;
    }
    Parameters parameters = parameters(context, applying, block);
    if (parameters == null) {
      out.add(unreadable(context, inputs));
      return;
    }
    Map<String, String> names = new HashMap<>();
    for (int i = 0; i < inputs.size(); i++) {
      names.put(block.inputs().get(i).getSimpleName().toString(), inputs.get(i).layer());
    }
    List<String> members = new ArrayList<>();
    List<String> locals = new ArrayList<>();
    for (ExecutableElement member : block.members()) {
      String local = member.getSimpleName().toString();
      names.put(local, fullName(context.name(), block, local));
      members.add(names.get(local));
      locals.add(local);
    }
    applications.add(new Application(context.name(), type, block.isModel(),
        inputs.stream().map(InputRef::layer).toList(), members, locals, context.parent(),
        context.weightsOf()));
    stack.push(qualified);
    for (ExecutableElement member : block.members()) {
      String local = member.getSimpleName().toString();
      String path = context.path() + " -> " + local;
      List<InputRef> memberInputs = inputsOf(context, block, member, inputs, names, path);
      OutputDecl output = local.equals(block.outputs().get(0)) ? context.output() : null;
      if (isApplication(member, type)) {
        ExecutableElement nestedApplying = ModelParser.mirror(member, Apply.class) != null
            ? member
            : owner(member, type);
        String weightsOf = context.weightsOf() != null
            ? fullName(context.weightsOf(), block, local)
            : ownerName(member, type, names);
        Context nested = new Context(context.top(), context.site(), names.get(local), path, output,
            weightsOf, context.sharing() != null ? context.sharing() : sharingOf(member),
            context.frozen() || ModelParser.mirror(member, Frozen.class) != null, context.name(),
            block.parameters() == null ? null : new Enclosing(block.parameters(), parameters));
        expandInto(out, nested, nestedApplying, memberInputs, stack);
      } else {
        out.add(layer(context, block, member, memberInputs, names, parameters, output, path));
      }
    }
    stack.pop();
  }

  /** One layer of the block, as this application has it. */
  private LayerDecl layer(Context context, BlockDecl block, ExecutableElement member,
      List<InputRef> inputs, Map<String, String> names, Parameters parameters, OutputDecl output,
      String path) {
    String local = member.getSimpleName().toString();
    ExecutableElement declaring = ModelParser.layerAnnotation(member) != null
        ? member
        : sharedMethod(member, block.type());
    Map<String, AnnotationValue> bound = new HashMap<>();
    Map<String, AnnotationValue> boundWritten = new HashMap<>();
    Map<String, Site> boundSites = new HashMap<>();
    AnnotationMirror bind = ModelParser.mirror(member, Bind.class);
    if (bind != null) {
      for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> entry
          : bind.getElementValues().entrySet()) {
        String attribute = entry.getKey().getSimpleName().toString();
        String parameter = (String) entry.getValue().getValue();
        bound.put(attribute, parameters.values().get(parameter));
        if (parameters.written().containsKey(parameter)) {
          boundWritten.put(attribute, parameters.written().get(parameter));
        }
        boundSites.put(attribute, parameters.site(parameter));
      }
    }
    Attributes attributes = new Attributes(declaring, ModelParser.layerAnnotation(declaring), elements)
        .applied(bound, boundWritten, context.site(), boundSites, path);
    var kind = ModelParser.kindOf(declaring, elements);
    String ownerLocal = ownerLocal(member, block.type());
    String weightsOf = null;
    Attributes sharingBase = context.sharing();
    if (kind.parametersType() != null) {
      if (context.weightsOf() != null) {
        weightsOf = fullName(context.weightsOf(), block, ownerLocal);
      } else if (!ownerLocal.equals(local)) {
        weightsOf = names.get(ownerLocal);
        sharingBase = sharingOf(member);
      }
    }
    Attributes sharing = weightsOf == null ? null : sharingBase.applied(
        Map.of("value", new ConstantValue(weightsOf)), Map.of(), context.site(),
        Map.of("value", sharingBase.site("value")), path);
    return new LayerDecl(names.get(local), context.top(), kind, attributes, inputs, output, sharing,
        context.frozen() || ModelParser.mirror(member, Frozen.class) != null);
  }

  /** The references of a block method, renamed to this application's layers. */
  private List<InputRef> inputsOf(Context context, BlockDecl block, ExecutableElement member,
      List<InputRef> given, Map<String, String> names, String path) {
    List<InputRef> inputs = new ArrayList<>();
    for (InputRef input : ModelParser.inputs(member, elements)) {
      int blockInput = indexOf(block.inputs(), input.layer());
      Site note = input.site();
      String declared = path + " reads " + input.layer() + " here";
      if (blockInput >= 0) {
        ExecutableElement inputMethod = block.inputs().get(blockInput);
        List<Integer> dims = new ArrayList<>();
        for (int dim : new Attributes(inputMethod, ModelParser.mirror(inputMethod, Input.class), elements)
            .intArray("shape")) {
          dims.add(dim);
        }
        inputs.add(new InputRef(names.get(input.layer()), input.parameter(), input.from(),
            input.fromValue(), given.get(blockInput).site().withNote(note, declared),
            new InputRef.BlockInput(dims, context.path() + " applies " + block.name()
                + ", whose input " + input.layer())));
      } else {
        inputs.add(new InputRef(names.get(input.layer()), input.parameter(), input.from(),
            input.fromValue(), context.site().withNote(note, declared), null));
      }
    }
    return inputs;
  }

  /**
   * The values of the block's parameters at this application: from the parameter annotation next
   * to {@code @Apply}, defaults for the elements it leaves out; null after reporting a missing one.
   */
  private Parameters parameters(Context context, ExecutableElement applying, BlockDecl block) {
    if (block.parameters() == null) {
      return new Parameters(Map.of(), Map.of(), Map.of(), context.site());
    }
    AnnotationMirror given = null;
    for (AnnotationMirror mirror : applying.getAnnotationMirrors()) {
      if (mirror.getAnnotationType().asElement().equals(block.parameters())) {
        given = mirror;
      }
    }
    if (given == null && context.enclosing() != null
        && context.enclosing().type().equals(block.parameters())) {
      return context.enclosing().parameters();
    }
    Map<String, AnnotationValue> values = new HashMap<>();
    Map<String, AnnotationValue> written = new HashMap<>();
    Map<String, Site> sites = new HashMap<>();
    List<String> missing = new ArrayList<>();
    for (ExecutableElement element : BlockReader.elementsOf(block.parameters()).values()) {
      String name = element.getSimpleName().toString();
      AnnotationValue value = element.getDefaultValue();
      if (given != null) {
        for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> entry
            : given.getElementValues().entrySet()) {
          if (entry.getKey().getSimpleName().contentEquals(name)) {
            value = entry.getValue();
            written.put(name, value);
            // The caret lands on the value only where the application itself writes it.
            sites.put(name, applying.equals(context.top())
                ? Site.of(context.top(), given, value)
                : context.site());
          }
        }
      }
      if (value == null) {
        missing.add(name);
      } else {
        values.put(name, value);
      }
    }
    if (!missing.isEmpty()) {
      report.error(Tag.MISSING_BLOCK_PARAMETERS,
          context.path() + " applies " + block.name() + ", whose parameters " + missing
              + " have no default values, but it gives " + (given == null ? "no @" : "no value for them in @")
              + block.parameters().getSimpleName() + "; add @" + block.parameters().getSimpleName() + "("
              + String.join(" = ..., ", missing) + " = ...) next to @Apply",
          context.site());
      return null;
    }
    return new Parameters(values, written, sites, context.site());
  }

  /**
   * A block's parameter values at one application.
   *
   * @param values every parameter's value, defaults included
   * @param written the values the application writes
   * @param sites where a diagnostic about each written value points
   * @param application where the others point
   */
  private record Parameters(Map<String, AnnotationValue> values, Map<String, AnnotationValue> written,
      Map<String, Site> sites, Site application) {

    Site site(String parameter) {
      return sites.getOrDefault(parameter, application);
    }
  }

  private Unreadable unreadable(Context context, List<InputRef> inputs) {
    return new Unreadable(context.name(), context.top(), inputs, true, context.output() != null);
  }

  /** {@code stage3} for the block's first output, else {@code stage3/conv2}. */
  private static String fullName(String application, BlockDecl block, String local) {
    return block.outputs().get(0).equals(local) ? application : application + "/" + local;
  }

  /** The local name of the layer whose weights {@code member} uses: its own, or its @SameWeightsAs. */
  private String ownerLocal(ExecutableElement member, TypeElement block) {
    AnnotationMirror sharing = ModelParser.mirror(member, SameWeightsAs.class);
    return sharing == null
        ? member.getSimpleName().toString()
        : new Attributes(member, sharing, elements).stringValue("value");
  }

  /** The full name of the application whose weights a nested application uses, or null. */
  private String ownerName(ExecutableElement member, TypeElement block, Map<String, String> names) {
    String owner = ownerLocal(member, block);
    return owner.equals(member.getSimpleName().toString()) ? null : names.get(owner);
  }

  private Attributes sharingOf(ExecutableElement member) {
    AnnotationMirror sharing = ModelParser.mirror(member, SameWeightsAs.class);
    return sharing == null ? null : new Attributes(member, sharing, elements);
  }

  private static int indexOf(List<ExecutableElement> methods, String name) {
    for (int i = 0; i < methods.size(); i++) {
      if (methods.get(i).getSimpleName().contentEquals(name)) {
        return i;
      }
    }
    return -1;
  }

  private static String count(int inputs) {
    return inputs == 1 ? "1 input" : inputs + " inputs";
  }

  private static String names(List<ExecutableElement> methods) {
    return "(" + String.join(", ", methods.stream().map(m -> m.getSimpleName().toString()).toList()) + ")";
  }

  private static String simple(String qualified) {
    return qualified.substring(qualified.lastIndexOf('.') + 1);
  }
}
