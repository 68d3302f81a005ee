package dev.kiln.processor.emit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.MethodSpec;
import dev.kiln.Model;
import dev.kiln.processor.parse.Application;
import dev.kiln.processor.parse.ModelParser;
import dev.kiln.processor.shape.Network;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;

/**
 * For each model applied as a layer, {@code loadEncoder(path)} and {@code saveEncoder(path)}:
 * a checkpoint of that model into its application's weights and back out (transfer learning).
 */
final class TransferMethods {

  private TransferMethods() {}

  static List<MethodSpec> of(Network network) {
    List<MethodSpec> methods = new ArrayList<>();
    for (Application application : network.model().applications()) {
      if (!application.isModel() || application.parent() != null) {
        continue;
      }
      ClassName part = ClassName.get(ClassName.get(application.block()).packageName(),
          generatedName(application.block()));
      String first = application.locals().get(application.members().indexOf(application.name()));
      String suffix = Naming.capitalize(application.name());
      methods.add(MethodSpec.methodBuilder("load" + suffix)
          .addModifiers(Modifier.PUBLIC)
          .addException(IOException.class)
          .addParameter(Path.class, "path")
          .addJavadoc("Loads the weights of a checkpoint saved by {@link $T#save} into $L, the application of\n", part,
              application.name())
          .addJavadoc("{@link $T} in this model (transfer learning); its optimizer state stays behind.\n",
              ClassName.get(application.block()))
          .addStatement("$T part = $T.create(0, dataType())", part, part)
          .addStatement("part.load(path)")
          .addStatement("$T.transfer(part, this, $S, $S, true)", Runtime.LAYER_TRANSFER, application.name(), first)
          .build());
      methods.add(MethodSpec.methodBuilder("save" + suffix)
          .addModifiers(Modifier.PUBLIC)
          .addException(IOException.class)
          .addParameter(Path.class, "path")
          .addJavadoc("Saves the weights of $L as a checkpoint that {@link $T#load} reads.\n", application.name(), part)
          .addStatement("$T part = $T.create(0, dataType())", part, part)
          .addStatement("$T.transfer(part, this, $S, $S, false)", Runtime.LAYER_TRANSFER, application.name(), first)
          .addStatement("part.save(path)")
          .build());
    }
    return methods;
  }

  /** The simple name of the class Kiln generates for a {@code @Model} interface. */
  private static String generatedName(TypeElement type) {
    AnnotationMirror model = ModelParser.mirror(type, Model.class);
    for (var entry : model.getElementValues().entrySet()) {
      if (entry.getKey().getSimpleName().contentEquals("className")
          && !String.valueOf(entry.getValue().getValue()).isEmpty()) {
        return String.valueOf(entry.getValue().getValue());
      }
    }
    return type.getSimpleName() + "Model";
  }
}
