package dev.kiln.processor.emit;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.processor.layers.LayerCode;
import dev.kiln.processor.layers.MaskUse;
import dev.kiln.processor.parse.OutputDecl;
import dev.kiln.processor.shape.MaskFlow;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * What the generated class does with masks besides the layers' own calls: a buffer per mask,
 * the AND a merge of differently masked inputs computes, and losses over unmasked steps. A model
 * without masks gets none of it.
 */
final class MaskCode {

  /**
   * A buffer of the Buffers class for masks, {@code (batch, steps)}.
   *
   * @param field its name
   * @param javadoc its documentation, ending with a period
   */
  record Buffer(String field, String javadoc) {}

  private final MaskFlow masks;
  private final Naming names;
  /** {@code b.field}, a field of the Buffers instance. */
  private final Function<String, CodeBlock> bufferField;

  MaskCode(MaskFlow masks, Naming names, Function<String, CodeBlock> bufferField) {
    this.masks = masks;
    this.names = names;
    this.bufferField = bufferField;
  }

  /** {@code , mask b.tokensMask} for a forward comment: where the mask on a layer's output lives. */
  String note(Node node) {
    Node owner = masks.owner(node.name());
    return owner == null ? "" : ", mask " + bufferField.apply(names.mask(owner));
  }

  /**
   * For a merge of inputs with different masks, which owns the mask on its output: the AND of
   * theirs, as Keras' merges compute it.
   */
  CodeBlock combination(Node node, LayerCode code) {
    if (masks.owner(node.name()) != node || node.decl().kind().maskUse(node) == MaskUse.MAKES) {
      return CodeBlock.of("");
    }
    CodeBlock.Builder and = CodeBlock.builder()
        .add("// the mask on $L's output: masked where an input's is\n", node.name());
    CodeBlock combined = null;
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < node.inputs().size(); i++) {
      CodeBlock mask = code.inputMask(i);
      if (mask.toString().equals("null") || !seen.add(mask.toString())) {
        continue;
      }
      if (combined != null) {
        and.addStatement("$T.and($L, $L, $L)", Runtime.kernel("Masks"), combined, mask,
            code.outputMask());
        combined = code.outputMask();
      } else {
        combined = mask;
      }
    }
    return and.build();
  }

  /** The buffers {@code node} needs for masks: the one it owns, the weights of its loss. */
  List<Buffer> buffers(Node node) {
    List<Buffer> buffers = new ArrayList<>();
    String shape = batchShape(node);
    if (masks.owner(node.name()) == node) {
      buffers.add(new Buffer(names.mask(node), "The mask on " + node.name() + "'s output, "
          + shape + ": 1 for a step that counts, 0 for padding."));
    }
    if (masksLoss(node)) {
      buffers.add(new Buffer(names.stepWeights(node), "Each step's weight in " + node.name()
          + "'s loss, " + shape + ": its mask and sample weight, scaled as Keras scales them."));
    }
    return buffers;
  }

  /** Whether {@code output}'s loss counts unmasked steps only. */
  boolean masksLoss(Node output) {
    return output.decl().isOutput() && masks.owner(output.name()) != null;
  }

  /** {@code ; over the steps tokens's mask keeps}, for a masked loss's comment. */
  String lossNote(Node output) {
    return masksLoss(output)
        ? "; over the steps " + masks.owner(output.name()).name() + "'s mask keeps"
        : "";
  }

  /**
   * The loss of a masked output (Keras 3: the mask multiplies the sample weights, and the mean
   * is over unmasked steps), given its unmasked loss written over steps as rows {@code p}, {@code
   * y}, {@code dp}.
   */
  CodeBlock loss(Node output, CodeBlock target, String p, String y, String dp, CodeBlock rows) {
    return CodeBlock.of("$T.overUnmaskedSteps($L, $L, $L, $L, $L,\n($L, $L, $L) -> $L)",
        Runtime.loss("MaskedLoss"),
        bufferField.apply(names.mask(masks.owner(output.name()))),
        bufferField.apply(names.stepWeights(output)),
        bufferField.apply(names.output(output)),
        target,
        bufferField.apply(names.gradient(output)),
        p, y, dp, rows);
  }

  /** {@code (batch, 8)} or {@code (batch, steps)}: a mask's shape for {@code node}'s output. */
  private static String batchShape(Node node) {
    int steps = node.shape().dim(0);
    return "(batch, " + (steps == Shape.VARIABLE ? "steps" : String.valueOf(steps)) + ")";
  }
}
