package dev.kiln.processor.parse;

import java.util.List;
import javax.lang.model.element.ExecutableElement;

/**
 * A method of a model interface as a node of the graph: its name and the layers it reads. A
 * {@link LayerDecl} when the method could be read as a layer, an {@link Unreadable} when it could
 * not; the graph keeps both, so that a mistake in one method neither hides mistakes elsewhere
 * nor makes the layers around it look unknown or unused.
 */
public sealed interface MethodDecl permits LayerDecl, Unreadable {

  /** The method's name, which is the layer's name. */
  String name();

  ExecutableElement method();

  /** The layers its parameters read from, in parameter order. */
  List<InputRef> inputs();

  /** Whether it carries {@code @Output}. */
  boolean isOutput();
}
