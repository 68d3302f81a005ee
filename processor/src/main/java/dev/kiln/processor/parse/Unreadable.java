package dev.kiln.processor.parse;

import java.util.List;
import javax.lang.model.element.ExecutableElement;

/**
 * A method that cannot be read as a layer because of an error already reported on it (no layer
 * annotation, a parameter that is not a Tensor, ...). What it reads is still known, so the graph
 * checks around it go on; what it outputs is not, so the layers reading it get no shape.
 *
 * @param name the method's name
 * @param method the method
 * @param inputs the layers its parameters name, but for parameters with errors of their own
 * @param allInputs whether {@code inputs} has every parameter
 * @param isOutput whether it carries {@code @Output}
 */
public record Unreadable(
    String name,
    ExecutableElement method,
    List<InputRef> inputs,
    boolean allInputs,
    boolean isOutput)
    implements MethodDecl {

  public Unreadable {
    inputs = List.copyOf(inputs);
  }
}
