package dev.kiln.processor.check;

import dev.kiln.processor.graph.LayerGraph;
import dev.kiln.processor.layers.ParamDecl;
import dev.kiln.processor.layers.Words;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.Node;
import java.util.List;

/**
 * Checks {@code @SameWeightsAs}: it names another layer of the same kind that has weights of
 * its own and is part of the model, and, once shapes are known, that layer's weights have
 * exactly the shapes the sharing layer needs.
 */
final class SharingValidator {

  private SharingValidator() {}

  /** What can be told from the declarations. */
  static Report validate(LayerGraph graph) {
    Report.Builder report = Report.about(graph.model().type());
    for (LayerDecl layer : graph.model().layers()) {
      if (layer.weightsOf() == null || !(graph.method(layer.weightsOf()) instanceof LayerDecl owner)) {
        continue; // No sharing, or an unknown or unreadable owner, reported where it is.
      }
      String problem = null;
      if (owner == layer) {
        problem = layer.name() + " names itself in @SameWeightsAs, but it must name another layer;"
            + " name the layer whose weights it uses, or remove @SameWeightsAs";
      } else if (!owner.kind().equals(layer.kind())) {
        problem = layer.name() + " is " + Words.aLayer(layer.kind()) + " but uses the weights"
            + " of " + owner.name() + ", " + Words.aLayer(owner.kind()) + "; shared weights"
            + " need the same kind of layer, so name a layer of the same kind";
      } else if (!owner.attributes().canonical().equals(layer.attributes().canonical())) {
        problem = layer.name() + " repeats the annotation of " + owner.name() + ", whose weights it"
            + " uses, with other values (" + differences(owner, layer) + "); one layer applied twice"
            + " has one set of attributes, so write the same values, or leave the annotation out"
            + " and keep @SameWeightsAs alone";
      } else if (owner.weightsOf() != null) {
        problem = layer.name() + " uses the weights of " + owner.name() + ", which uses those of "
            + owner.weightsOf() + "; name " + owner.weightsOf() + " directly";
      } else if (graph.reachesOutput(layer.name()) && !graph.reachesOutput(owner.name())) {
        problem = layer.name() + " uses the weights of " + owner.name() + ", which reaches no"
            + " @Output and so is not part of the model; connect it, or let " + layer.name()
            + " have its own weights";
      }
      if (problem != null) {
        report.error(Tag.SHARED_WEIGHTS_MISMATCH, problem, layer.sharing().site("value"));
      }
    }
    return report.build();
  }

  /** What needs shapes: the weights exist and have the shapes the sharing layer needs. */
  static Report validate(Network network) {
    Report.Builder report = Report.about(network.model().type());
    for (Node user : network.nodes()) {
      Node owner = network.node(user.weightsOwner());
      if (!user.sharesWeights() || owner == null) {
        continue;
      }
      LayerDecl decl = user.decl();
      List<ParamDecl> needed = decl.kind().parameters(decl, user.inputShapes());
      if (owner.params().isEmpty()) {
        report.error(
            Tag.SHARED_WEIGHTS_MISMATCH,
            user.name() + " uses the weights of " + owner.name() + ", but "
                + Words.aLayer(decl.kind()) + " has no weights to share; remove @SameWeightsAs",
            decl.sharing().site("value"));
        continue;
      }
      List<String> ownerShapes = describe(owner.params());
      List<String> neededShapes = describe(needed);
      if (!ownerShapes.equals(neededShapes)) {
        report.error(
            Tag.SHARED_WEIGHTS_MISMATCH,
            user.name() + " uses the weights of " + owner.name() + ", which has " + ownerShapes
                + ", but with its own input " + user.inputShapes().get(0).withBatch() + " it needs "
                + neededShapes + "; shared weights need inputs with the same channels and the"
                + " same layer attributes that size them",
            decl.sharing().site("value"));
      }
    }
    return report.build();
  }

  /** {@code units = 4 here, 8 there}, for each attribute whose values differ. */
  private static String differences(LayerDecl owner, LayerDecl layer) {
    List<String> differ = new java.util.ArrayList<>();
    for (String name : owner.attributes().names()) {
      String theirs = dev.kiln.processor.parse.AttributeText.of(owner.attributes().value(name));
      String ours = dev.kiln.processor.parse.AttributeText.of(layer.attributes().value(name));
      if (!theirs.equals(ours)) {
        differ.add(name + " = " + ours + " here, " + theirs + " on " + owner.name());
      }
    }
    return String.join("; ", differ);
  }

  private static List<String> describe(List<ParamDecl> params) {
    return params.stream().map(param -> param.name() + " " + param.shape()).toList();
  }
}
