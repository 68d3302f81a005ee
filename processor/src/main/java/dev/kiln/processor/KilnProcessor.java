package dev.kiln.processor;

import com.google.auto.service.AutoService;
import dev.kiln.Block;
import dev.kiln.Model;
import dev.kiln.processor.check.InterfaceValidator;
import dev.kiln.processor.check.MethodValidator;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.check.Tag;
import dev.kiln.processor.check.Validators;
import dev.kiln.processor.emit.CostTable;
import dev.kiln.processor.emit.DotGraph;
import dev.kiln.processor.emit.ModelWriter;
import dev.kiln.processor.emit.SummaryTable;
import dev.kiln.processor.graph.LayerGraph;
import dev.kiln.processor.parse.BlockReader;
import dev.kiln.processor.parse.ModelDecl;
import dev.kiln.processor.parse.ModelParser;
import dev.kiln.processor.parse.Resolved;
import dev.kiln.processor.parse.WrittenAnnotations;
import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.ShapeInference;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.FilerException;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.ElementFilter;
import javax.tools.FileObject;
import javax.tools.StandardLocation;

/**
 * Kiln's annotation processor. For each {@code @Model} interface it validates the Java, reads
 * the layers, validates the graph, infers shapes and validates what needs them, and only when
 * nothing failed writes the model class and its summary and graph resources. Mistakes are
 * compiler errors on the element, annotation and value at fault; a model with errors generates
 * nothing.
 */
@AutoService(Processor.class)
public final class KilnProcessor extends AbstractProcessor {

  /** Models waiting for a type javac could not resolve yet, by qualified name. */
  private final Set<String> deferred = new LinkedHashSet<>();
  private InterfaceValidator interfaces;
  private MethodValidator methods;
  private ModelParser parser;
  private BlockReader blocks;
  private WrittenAnnotations written;

  @Override
  public synchronized void init(ProcessingEnvironment env) {
    super.init(env);
    interfaces = new InterfaceValidator(env.getElementUtils());
    methods = new MethodValidator(env.getElementUtils(), env.getTypeUtils());
    blocks = new BlockReader(env.getElementUtils(), env.getTypeUtils(), methods);
    parser = new ModelParser(env.getElementUtils(), blocks);
    written = WrittenAnnotations.of(env);
  }

  @Override
  public Set<String> getSupportedAnnotationTypes() {
    return Set.of(Model.class.getCanonicalName(), Block.class.getCanonicalName());
  }

  @Override
  public SourceVersion getSupportedSourceVersion() {
    return SourceVersion.latestSupported();
  }

  @Override
  public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
    List<TypeElement> models = new ArrayList<>();
    for (String name : deferred) {
      TypeElement type = processingEnv.getElementUtils().getTypeElement(name);
      if (type != null) {
        models.add(type);
      }
    }
    deferred.clear();
    models.addAll(ElementFilter.typesIn(round.getElementsAnnotatedWith(Model.class)));
    models.addAll(ElementFilter.typesIn(round.getElementsAnnotatedWith(Block.class)));
    for (TypeElement type : models) {
      if (!Resolved.isResolved(type, processingEnv.getElementUtils(), written)) {
        // javac reports what it cannot resolve; a later round may generate it.
        if (!round.processingOver()) {
          deferred.add(type.getQualifiedName().toString());
        }
        continue;
      }
      processSafely(type).printTo(processingEnv.getMessager());
    }
    return false;
  }

  /** The pipeline; every stage reports what it finds, and only a model without errors is written. */
  private Report process(TypeElement type) {
    if (ModelParser.mirror(type, Model.class) == null) {
      // A block is checked on its own as far as it can be without the tensors it is applied to.
      return blocks.read(type).errors();
    }
    if (!InterfaceValidator.isInterface(type)) {
      return interfaces.validate(type);
    }
    Report javaForm = interfaces.validate(type).and(methods.validate(type));
    Report.Builder applications = Report.about(type);
    ModelDecl model = parser.parse(type, javaForm, applications);
    LayerGraph graph = LayerGraph.of(model);
    Report declared = javaForm.and(applications.build()).and(Validators.declarations(graph));
    ShapeInference.Inferred shapes = ShapeInference.run(graph, declared);
    Report report = declared.and(shapes.report()).and(Validators.network(shapes.network()));
    return report.hasErrors() ? report : report.and(write(shapes.complete()));
  }

  /** The pipeline, with an unexpected exception turned into one error on the interface. */
  private Report processSafely(TypeElement type) {
    try {
      return process(type);
    } catch (RuntimeException | StackOverflowError e) {
      StringWriter trace = new StringWriter();
      e.printStackTrace(new PrintWriter(trace));
      return Report.about(type)
          .error(
              Tag.INTERNAL_ERROR,
              "internal error in Kiln while processing " + type.getSimpleName() + ": " + e
                  + "; please report it with this trace:\n" + trace)
          .build();
    }
  }

  /** Writes the model class and its resources; a failure to write becomes an error. */
  private Report write(Network network) {
    ModelDecl model = network.model();
    String qualified = (model.packageName().isEmpty() ? "" : model.packageName() + ".") + model.className();
    try {
      new ModelWriter(network).write().writeTo(processingEnv.getFiler());
      writeResource(network, model.className() + ".summary.txt",
          SummaryTable.render(network) + SummaryTable.totals(network.paramCount(), network.trainableCount()));
      writeResource(network, model.className() + ".dot", DotGraph.render(network));
      if (!CostTable.dependsOnSteps(network)) {
        writeResource(network, model.className() + ".cost.txt", CostTable.render(network));
      }
      return Report.empty();
    } catch (FilerException clash) {
      return Report.about(model.type())
          .error(
              Tag.NAME_CLASH,
              "Kiln generates " + qualified + " for " + model.type().getQualifiedName() + ", but"
                  + " this compilation already has a type or file of that name (" + clash.getMessage()
                  + "); give this model another name with @Model(className = \"...\")",
              model.attributes().site("className"))
          .build();
    } catch (IOException e) {
      return Report.about(model.type())
          .error(
              Tag.WRITE_FAILED,
              "Kiln could not write " + qualified + " for " + model.type().getQualifiedName()
                  + ": " + e + "; check that the build's output directories are writable",
              model.attributes().site())
          .build();
    }
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
}
