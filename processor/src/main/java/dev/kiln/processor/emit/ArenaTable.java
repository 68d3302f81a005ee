package dev.kiln.processor.emit;

import com.palantir.javapoet.CodeBlock;
import java.util.List;
import java.util.Locale;

/** The Javadoc of a generated arena: what it holds and where each buffer sits in it. */
final class ArenaTable {

  /** Characters per line of prose, so that the Javadoc reads without scrolling. */
  private static final int WIDTH = 90;

  private ArenaTable() {}

  static CodeBlock training(MemoryPlan memory) {
    return render(
        "Values per sample of the memory the loss gradients share in training: gradients whose"
            + " lifetimes in the backward pass do not overlap share it. Step 0 is the loss, step k"
            + " the backward pass of the k-th layer from the end; a gradient lives from its first"
            + " write to its own layer's step.",
        memory.trainingPlacements(), memory.trainingArena(), memory.gradientFloor());
  }

  static CodeBlock inference(MemoryPlan memory) {
    return render(
        "Values per sample of the memory the layer outputs share in a prediction: step k is the"
            + " forward pass of the k-th layer, and an output lives from its layer's step to its last"
            + " reader's (a model output, to the end).",
        memory.inferencePlacements(), memory.inferenceArena(), memory.inferenceFloor());
  }

  private static CodeBlock render(
      String purpose, List<ArenaPlanner.Placement> placements, long length, long floor) {
    int width = "buffer".length();
    for (ArenaPlanner.Placement placement : placements) {
      width = Math.max(width, placement.lifetime().name().length());
    }
    StringBuilder text = new StringBuilder(wrapped(purpose + String.format(Locale.ROOT,
            " %d values per sample; at most %d are live at once, so no arrangement needs fewer.",
            length, floor)))
        .append("\n<pre>\n")
        .append(String.format(Locale.ROOT, "%-" + width + "s %12s %12s  %s%n",
            "buffer", "offset", "values", "live in steps"));
    for (ArenaPlanner.Placement placement : placements) {
      ArenaPlanner.Lifetime lifetime = placement.lifetime();
      text.append(String.format(Locale.ROOT, "%-" + width + "s %12d %12d  %d-%d%n",
          lifetime.name(), placement.offset(), lifetime.size(), lifetime.first(), lifetime.last()));
    }
    text.append("</pre>\n");
    return CodeBlock.of("$L", text.toString());
  }

  /** The text in lines of at most {@link #WIDTH} characters, broken between words. */
  static String wrapped(String text) {
    StringBuilder lines = new StringBuilder();
    int lineLength = 0;
    for (String word : text.split(" ")) {
      if (lineLength > 0 && lineLength + 1 + word.length() > WIDTH) {
        lines.append('\n');
        lineLength = 0;
      } else if (lineLength > 0) {
        lines.append(' ');
        lineLength++;
      }
      lines.append(word);
      lineLength += word.length();
    }
    return lines.append('\n').toString();
  }
}
