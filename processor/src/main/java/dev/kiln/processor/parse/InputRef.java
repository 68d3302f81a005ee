package dev.kiln.processor.parse;

import dev.kiln.processor.check.Site;
import java.util.List;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.VariableElement;

/**
 * A parameter of a layer method: the layer it reads from, by the parameter's name or its
 * {@code @From}.
 *
 * @param layer the referenced layer's name
 * @param parameter the parameter, for diagnostics
 * @param from the {@code @From} annotation, or null
 * @param fromValue its value, or null
 * @param applied inside an applied block: where diagnostics point instead, or null
 * @param blockInput when this parameter reads a block's input: the shape the block allows there,
 *     checked against the tensor the application gives; else null
 */
public record InputRef(
    String layer,
    VariableElement parameter,
    AnnotationMirror from,
    AnnotationValue fromValue,
    Site applied,
    BlockInput blockInput) {

  /**
   * A block input as one application binds it.
   *
   * @param dims the shape the block declares, {@code -1} for an open size
   * @param text {@code stage3 applies Bottleneck, whose input x}: for messages
   */
  public record BlockInput(List<Integer> dims, String text) {
    public BlockInput {
      dims = List.copyOf(dims);
    }
  }

  public InputRef(String layer, VariableElement parameter, AnnotationMirror from, AnnotationValue fromValue) {
    this(layer, parameter, from, fromValue, null, null);
  }

  /** The {@code @From} value if there is one, else the parameter. */
  public Site site() {
    if (applied != null) {
      return applied;
    }
    return from == null ? Site.of(parameter) : Site.of(parameter, from, fromValue);
  }
}
