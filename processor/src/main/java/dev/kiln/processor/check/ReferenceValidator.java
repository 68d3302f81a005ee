package dev.kiln.processor.check;

import dev.kiln.processor.graph.LayerGraph;
import dev.kiln.processor.parse.InputRef;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.parse.MethodDecl;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Checks names: every method's name is unique, and every name a parameter, {@code @From} or
 * {@code @SameWeightsAs} gives is a method's, with the nearest name suggested when it is not.
 */
final class ReferenceValidator {

  /**
   * Unknown references reported one by one: with the count of all of them, as many as javac
   * shows by default ({@code -Xmaxerrs 100}). javac's cost of placing each diagnostic grows with
   * the source, so thousands of them took minutes.
   */
  static final int MAX_LISTED = 99;

  private ReferenceValidator() {}

  static Report validate(LayerGraph graph) {
    Report.Builder report = Report.about(graph.model().type());
    Set<String> seen = new HashSet<>();
    for (MethodDecl method : graph.model().methods()) {
      if (!seen.add(method.name())) {
        report.error(
            Tag.DUPLICATE_LAYER,
            "two methods are named " + method.name() + ", but method names are layer names and"
                + " must be unique; rename one (overloads are not layers of their own)",
            Site.of(method.method()));
      }
    }
    long total = unknownReferences(graph);
    if (total > MAX_LISTED) {
      // First, so that javac's own limit of 100 errors cannot hide it.
      report.error(
          Tag.UNKNOWN_LAYER,
          String.format(Locale.ROOT, "%s reads from %,d names that are no layer's; the first %d"
              + " follow, fix them and compile again for the rest",
              graph.model().name(), total, MAX_LISTED),
          graph.model().attributes().site());
    }
    int unknown = 0;
    for (MethodDecl method : graph.model().methods()) {
      for (InputRef input : method.inputs()) {
        if (graph.method(input.layer()) == null && ++unknown <= MAX_LISTED) {
          report.error(
              Tag.UNKNOWN_LAYER,
              method.name() + " reads from " + describe(input.layer()) + ", but there is no layer"
                  + " named " + describe(input.layer())
                  + Names.suggestion(input.layer(), graph.names(),
                      "; name the parameter after a layer method, or use @From(\"layer\")"),
              input.site());
        }
      }
      if (method instanceof LayerDecl layer && layer.weightsOf() != null
          && graph.method(layer.weightsOf()) == null && ++unknown <= MAX_LISTED) {
        report.error(
            Tag.UNKNOWN_LAYER,
            layer.name() + " uses the weights of " + describe(layer.weightsOf()) + ", but there is"
                + " no layer named " + describe(layer.weightsOf())
                + Names.suggestion(layer.weightsOf(), graph.names(),
                    "; name the layer whose weights it uses"),
            layer.sharing().site("value"));
      }
    }
    return report.build();
  }

  private static long unknownReferences(LayerGraph graph) {
    long count = 0;
    for (MethodDecl method : graph.model().methods()) {
      count += method.inputs().stream().filter(input -> graph.method(input.layer()) == null).count();
      if (method instanceof LayerDecl layer && layer.weightsOf() != null
          && graph.method(layer.weightsOf()) == null) {
        count++;
      }
    }
    return count;
  }

  /** The name, quoted only when it could not be a method's name at all. */
  private static String describe(String name) {
    return javax.lang.model.SourceVersion.isIdentifier(name) ? name : "\"" + name + "\"";
  }
}
