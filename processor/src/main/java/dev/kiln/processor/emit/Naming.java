package dev.kiln.processor.emit;

import com.palantir.javapoet.NameAllocator;
import dev.kiln.processor.layers.LayerKind;
import dev.kiln.processor.layers.ParamDecl;
import dev.kiln.processor.shape.MaskFlow;
import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.Node;
import java.util.HashMap;
import java.util.Map;

/**
 * The identifiers of a generated model, chosen once so that user layer names can never collide
 * with each other or with the generator's own names.
 */
final class Naming {

  /** Model-class fields: parameters and their gradients. */
  private final NameAllocator fields = new NameAllocator();
  /** Fields of the Buffers class: activations, pre-activations, gradients. */
  private final NameAllocator buffers = new NameAllocator();
  /** Method parameters and locals. */
  private final NameAllocator locals = new NameAllocator();

  Naming(Network network) {
    for (String reserved : new String[] {"SPEC", "SUMMARY_TABLE", "DOT", "buffers", "inferenceBuffers", "current", "layers"}) {
      fields.newName(reserved, "reserved:" + reserved);
    }
    // The Buffers constructor's parameters (the other mode's buffers: BuffersWriter; a variable
    // length's steps) and the arena.
    for (String reserved : new String[] {"batchSize", "training", "other", "arena"}) {
      buffers.newName(reserved, "reserved:" + reserved);
    }
    if (network.inputs().stream().anyMatch(ModelContext::variableLength)) {
      buffers.newName("steps", "reserved:steps");
    }
    for (Node node : network.nodes()) {
      for (ParamDecl param : node.params()) {
        fields.newName(node.name() + capitalize(param.name()), paramTag(node, param));
        fields.newName(node.name() + capitalize(param.name()) + "Grad", gradTag(node, param));
        fields.newName(node.name() + capitalize(param.name()) + "GradPart", "part:" + paramTag(node, param));
      }
      for (LayerKind.Constant constant : node.decl().kind().constants(node.decl())) {
        fields.newName(constantName(node.name(), constant.suffix()), constantTag(node, constant.suffix()));
      }
    }
    // Buffers named exactly after layers first, so that a layer always gets its own name.
    network.nodes().forEach(node -> buffers.newName(node.name(), "out:" + node.name()));
    Map<String, Integer> mostReads = mostReadsByOneReader(network);
    for (Node node : network.nodes()) {
      buffers.newName(node.name() + "PreActivation", "pre:" + node.name());
      buffers.newName("d" + capitalize(node.name()), "grad:" + node.name());
      buffers.newName("d" + capitalize(node.name()) + "Part", "part:" + node.name());
      for (int part = 1; part < mostReads.getOrDefault(node.name(), 0); part++) {
        buffers.newName("d" + capitalize(node.name()) + "Part" + (part + 1), "part" + part + ":" + node.name());
      }
      for (LayerKind.ExtraBuffer extra : node.decl().kind().extraBuffers(node)) {
        buffers.newName(node.name() + extra.suffix(), extraTag(node, extra.suffix()));
      }
    }
    MaskFlow masks = MaskFlow.of(network);
    masks.owners().forEach(node -> buffers.newName(node.name() + "Mask", "mask:" + node.name()));
    for (Node node : network.outputs()) {
      if (masks.owner(node.name()) != null) {
        buffers.newName(node.name() + "StepWeights", "stepWeights:" + node.name());
      }
    }
    network.inputs().forEach(node -> locals.newName(node.name(), "input:" + node.name()));
    network.outputs().forEach(node -> locals.newName(node.name() + "Target", "target:" + node.name()));
    for (String local : new String[] {"b", "training", "batchSize", "index", "outputs", "loss", "steps", "length", "p", "y", "dp"}) {
      locals.newName(local, "local:" + local);
    }
  }

  String param(Node node, ParamDecl param) {
    return fields.get(paramTag(node, param));
  }

  String grad(Node node, ParamDecl param) {
    return fields.get(gradTag(node, param));
  }

  /** The scratch gradient of a shared parameter, for the uses after the first. */
  String gradPart(Node owner, ParamDecl param) {
    return fields.get("part:" + paramTag(owner, param));
  }

  String constant(Node node, String suffix) {
    return fields.get(constantTag(node, suffix));
  }

  String extra(Node node, String suffix) {
    return buffers.get(extraTag(node, suffix));
  }

  /** The buffer of the mask {@code owner} makes or combines ({@link MaskFlow#owners}). */
  String mask(Node owner) {
    return buffers.get("mask:" + owner.name());
  }

  /** The weights of a masked output's steps in its loss. */
  String stepWeights(Node output) {
    return buffers.get("stepWeights:" + output.name());
  }

  String output(Node node) {
    return buffers.get("out:" + node.name());
  }

  String preActivation(Node node) {
    return buffers.get("pre:" + node.name());
  }

  String gradient(Node node) {
    return buffers.get("grad:" + node.name());
  }

  /** Scratch buffer {@code part} for shares of the node's gradient; the first is {@code dNodePart}. */
  String gradientPart(Node node, int part) {
    return buffers.get((part == 0 ? "part" : "part" + part) + ":" + node.name());
  }

  /** For each layer read, the most times one reader reads it (a layer added to itself: 2). */
  private static Map<String, Integer> mostReadsByOneReader(Network network) {
    Map<String, Integer> most = new HashMap<>();
    for (Node reader : network.nodes()) {
      Map<String, Integer> reads = new HashMap<>();
      for (String input : reader.inputs()) {
        int count = reads.merge(input, 1, Integer::sum);
        most.merge(input, count, Math::max);
      }
    }
    return most;
  }

  String input(Node node) {
    return locals.get("input:" + node.name());
  }

  String target(Node node) {
    return locals.get("target:" + node.name());
  }

  String local(String name) {
    return locals.get("local:" + name);
  }

  static String capitalize(String name) {
    return Character.toUpperCase(name.charAt(0)) + name.substring(1);
  }

  /** {@code CONV1_WINDOW} for layer {@code conv1}. */
  private static String constantName(String layer, String suffix) {
    return layer.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase() + "_" + suffix;
  }

  private static String constantTag(Node node, String suffix) {
    return "constant:" + node.name() + "." + suffix;
  }

  private static String extraTag(Node node, String suffix) {
    return "extra:" + node.name() + "." + suffix;
  }

  private static String paramTag(Node node, ParamDecl param) {
    return "param:" + node.name() + "." + param.name();
  }

  private static String gradTag(Node node, ParamDecl param) {
    return "grad:" + node.name() + "." + param.name();
  }
}
