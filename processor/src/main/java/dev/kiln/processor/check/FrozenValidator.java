package dev.kiln.processor.check;

import dev.kiln.Frozen;
import dev.kiln.processor.parse.ModelParser;
import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.Node;

/**
 * Checks that each {@code @Frozen} layer has weights of its own to freeze: a layer without
 * weights has nothing to keep still, and a layer using another's weights would leave them moving
 * through that other layer.
 */
final class FrozenValidator {

  private FrozenValidator() {}

  static Report validate(Network network) {
    Report.Builder report = Report.about(network.model().type());
    for (Node node : network.nodes()) {
      if (!node.decl().frozen()) {
        continue;
      }
      Site site = Site.of(node.decl().method(), ModelParser.mirror(node.decl().method(), Frozen.class));
      if (node.sharesWeights()) {
        report.error(
            Tag.BAD_ATTRIBUTE,
            node.name() + " is @Frozen but uses the weights of " + node.weightsOwner()
                + "; freeze " + node.weightsOwner() + ", which owns them",
            site);
      } else if (node.params().isEmpty()) {
        report.error(
            Tag.BAD_ATTRIBUTE,
            node.name() + " is @Frozen but has no weights to freeze; remove @Frozen",
            site);
      }
    }
    return report.build();
  }
}
