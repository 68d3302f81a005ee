package dev.kiln.processor;

import com.google.auto.service.AutoService;
import com.palantir.javapoet.JavaFile;
import dev.kiln.Model;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.check.TrainingCheck;
import dev.kiln.processor.emit.ModelWriter;
import dev.kiln.processor.emit.SummaryTable;
import dev.kiln.processor.emit.DotGraph;
import dev.kiln.processor.graph.LayerGraph;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.parse.ModelDecl;
import dev.kiln.processor.parse.ModelParser;
import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.Shape;
import dev.kiln.processor.shape.ShapeInference;
import dev.kiln.processor.shape.Node;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;
import javax.tools.Diagnostic;
import javax.tools.FileObject;
import javax.tools.StandardLocation;

/**
 * Kiln's annotation processor. For each {@code @Model} interface it parses the layers, builds
 * the graph, infers shapes, checks training, and only when all of that is sound writes the model
 * class and its summary and graph resources. Mistakes are compiler errors on the element at
 * fault; a model with errors generates nothing.
 */
@AutoService(Processor.class)
public final class KilnProcessor extends AbstractProcessor {

  @Override
  public Set<String> getSupportedAnnotationTypes() {
    return Set.of(Model.class.getCanonicalName());
  }

  @Override
  public SourceVersion getSupportedSourceVersion() {
    return SourceVersion.latestSupported();
  }

  @Override
  public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
    for (Element element : round.getElementsAnnotatedWith(Model.class)) {
      Report report = new Report();
      try {
        process((TypeElement) element, report);
      } catch (RuntimeException | IOException e) {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        report.error(
            "InternalError",
            "internal error in Kiln while processing " + element.getSimpleName() + ": " + e
                + "; please report it with this trace:\n" + trace,
            element);
      }
      report.printTo(processingEnv.getMessager());
    }
    return false;
  }

  /** The pipeline; each stage stops at the first stage that found errors. */
  private void process(TypeElement type, Report report) throws IOException {
    Optional<ModelDecl> model =
        new ModelParser(processingEnv.getElementUtils(), processingEnv.getTypeUtils()).parse(type, report);
    if (model.isEmpty() || report.hasErrors()) {
      return;
    }
    for (LayerDecl layer : model.get().layers()) {
      layer.kind().checkAttributes(layer, report);
    }
    Optional<LayerGraph> graph = LayerGraph.build(model.get(), report);
    if (graph.isEmpty() || report.hasErrors()) {
      return;
    }
    Optional<Network> network = ShapeInference.run(graph.get(), report);
    if (network.isEmpty() || report.hasErrors()) {
      return;
    }
    TrainingCheck.run(network.get(), report);
    rejectVariableAxes(network.get(), report);
    if (report.hasErrors()) {
      return;
    }
    write(network.get());
  }

  private void write(Network network) throws IOException {
    JavaFile file = new ModelWriter(network).write();
    file.writeTo(processingEnv.getFiler());
    String className = network.model().className();
    writeResource(network, className + ".summary.txt",
        SummaryTable.render(network) + SummaryTable.totals(network.paramCount(), network.trainableCount()));
    writeResource(network, className + ".dot", DotGraph.render(network));
  }

  private void writeResource(Network network, String name, String text) throws IOException {
    FileObject resource =
        processingEnv
            .getFiler()
            .createResource(
                StandardLocation.CLASS_OUTPUT, network.model().packageName(), name, network.model().type());
    try (Writer writer = resource.openWriter()) {
      writer.write(text);
    }
  }

  /**
   * Variable lengths are sequence lengths: the first axis of a sequence, one length per batch for
   * the whole model. Images and other axes need sizes.
   */
  private static void rejectVariableAxes(Network network, Report report) {
    for (Node node : network.nodes()) {
      List<Integer> dims = node.shape().dims();
      boolean elsewhere = dims.subList(Math.min(1, dims.size()), dims.size()).contains(Shape.VARIABLE);
      if (elsewhere || (dims.size() > 2 && dims.get(0) == Shape.VARIABLE)) {
        report.error(
            "Unsupported",
            node.name() + " has shape " + node.shape().withBatch() + "; Kiln supports a variable"
                + " length (-1) only on the steps axis of a sequence (steps, features), so give"
                + " the other axes a size",
            node.decl().method(),
            node.decl().attributes().mirror());
        return;
      }
    }
  }
}
