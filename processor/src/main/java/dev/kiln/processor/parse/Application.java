package dev.kiln.processor.parse;

import java.util.List;
import javax.lang.model.element.TypeElement;

/**
 * One application of a block (or of a model used as a layer) inside a model, after expansion:
 * its layers are ordinary layers named {@code name/layer}, and this records how they group.
 *
 * @param name the application's full name, {@code stage3} or {@code encoder/stage1}
 * @param block the applied {@code @Block} or {@code @Model} interface
 * @param isModel whether the applied interface is a {@code @Model}
 * @param inputs the outer layers it reads, in the order of the block's inputs
 * @param members the full names of the block's layers and nested applications, in the block's
 *     declaration order (inputs left out); the first output is named {@code name} itself
 * @param locals the same members by the names the block declares them with
 * @param parent the application this one is nested in, or null at the top of the model
 * @param weightsOf the application whose weights this one uses, or null
 */
public record Application(
    String name,
    TypeElement block,
    boolean isModel,
    List<String> inputs,
    List<String> members,
    List<String> locals,
    String parent,
    String weightsOf) {

  public Application {
    inputs = List.copyOf(inputs);
    members = List.copyOf(members);
    locals = List.copyOf(locals);
  }

  /** The simple name of the applied interface, which the summary shows as the layer's type. */
  public String blockName() {
    return block.getSimpleName().toString();
  }

  /** Keras' type column: {@code Functional} for a model, else the block's name. */
  public String typeName() {
    return isModel ? "Functional" : blockName();
  }
}
