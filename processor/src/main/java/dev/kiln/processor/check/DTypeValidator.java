package dev.kiln.processor.check;

import dev.kiln.DType;
import dev.kiln.processor.graph.LayerGraph;
import dev.kiln.processor.parse.InputRef;
import dev.kiln.processor.parse.LayerDecl;

/** Checks that integer token ids ({@code @Input(dtype = INT32)}) are read only by layers that look them up. */
final class DTypeValidator {

  private DTypeValidator() {}

  static Report validate(LayerGraph graph) {
    Report.Builder report = Report.about(graph.model().type());
    for (LayerDecl layer : graph.model().layers()) {
      for (InputRef input : layer.inputs()) {
        LayerDecl read = graph.layer(input.layer());
        if (read != null && holdsTokenIds(read) && !layer.kind().readsTokenIds()) {
          report.error(
              Tag.DTYPE_MISMATCH,
              layer.name() + " reads " + read.name() + ", which holds INT32 token ids, but only an"
                  + " @Embedding can read them; embed them first, or declare " + read.name()
                  + " with dtype = FLOAT32",
              layer.site());
        }
      }
    }
    return report.build();
  }

  static boolean holdsTokenIds(LayerDecl layer) {
    return layer.kind().isInput()
        && layer.attributes().enumValue("dtype", DType.class) == DType.INT32;
  }
}
