package dev.kiln.processor.parse;

import dev.kiln.processor.check.Site;
import dev.kiln.processor.layers.LayerKind;
import java.util.List;
import javax.lang.model.element.ExecutableElement;

/**
 * One layer as the interface declares it.
 *
 * @param name the method's name, which is the layer's name
 * @param method the method, for diagnostics
 * @param kind what kind of layer its annotation makes it
 * @param attributes the layer annotation's values
 * @param inputs the layers its parameters read from, in parameter order
 * @param output its {@code @Output}, or null
 * @param sharing its {@code @SameWeightsAs}, or null
 * @param frozen whether it is {@code @Frozen}: its weights start out of the optimizer's reach
 */
public record LayerDecl(
    String name,
    ExecutableElement method,
    LayerKind kind,
    Attributes attributes,
    List<InputRef> inputs,
    OutputDecl output,
    Attributes sharing,
    boolean frozen)
    implements MethodDecl {

  public LayerDecl {
    inputs = List.copyOf(inputs);
  }

  @Override
  public boolean isOutput() {
    return output != null;
  }

  /** The layer whose weights this one uses, or null if it has its own. */
  public String weightsOf() {
    return sharing == null ? null : sharing.stringValue("value");
  }

  /** The layer annotation: where diagnostics about the layer as a whole point. */
  public Site site() {
    return attributes.site();
  }

  /** An attribute of the layer annotation as written, else the annotation. */
  public Site site(String attribute) {
    return attributes.site(attribute);
  }
}
