package dev.kiln.processor.shape;

import dev.kiln.processor.layers.MaskUse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which tensors carry a mask, worked out at build time as Keras works it out at call time. A
 * mask lives in one buffer, owned by the layer that makes it ({@code Embedding(maskZero = true)},
 * {@code Masking}) or by a merge that ANDs several; every layer passing it on refers to the
 * owner's buffer, so passing a mask costs nothing at run time.
 */
public final class MaskFlow {

  /**
   * A layer that ignores the mask on one of its inputs, so that it is lost from there on.
   *
   * @param layer the layer dropping it
   * @param input the layer it reads the mask from
   * @param maker the layer that made the mask
   */
  public record Drop(Node layer, Node input, Node maker) {}

  /** For each layer whose output carries a mask, the layers whose masks it is the AND of. */
  private final Map<String, List<Node>> makers = new HashMap<>();
  /** For each layer whose output carries a mask, the owner of its buffer. */
  private final Map<String, Node> owners = new HashMap<>();
  private final List<Node> ownerList = new ArrayList<>();
  private final List<Drop> drops = new ArrayList<>();

  private MaskFlow(Network network) {
    for (Node node : network.nodes()) {
      if (node.decl().kind().isInput()) {
        continue;
      }
      MaskUse use = node.decl().kind().maskUse(node);
      if (use == MaskUse.MAKES) {
        own(node, List.of(node));
        continue;
      }
      List<Node> masked = new ArrayList<>();
      for (String input : new LinkedHashSet<>(node.inputs())) {
        if (owners.containsKey(input)) {
          masked.add(network.node(input));
        }
      }
      if (masked.isEmpty() || use == MaskUse.CONSUMES) {
        continue;
      }
      if (use == MaskUse.DROPS) {
        for (Node input : masked) {
          drops.add(new Drop(node, input, makers.get(input.name()).get(0)));
        }
        continue;
      }
      if (use == MaskUse.READS_AND_PASSES) {
        // The first input's mask, as Keras' recurrent layers and attention's query.
        String first = node.inputs().get(0);
        if (owners.containsKey(first)) {
          owners.put(node.name(), owners.get(first));
          makers.put(node.name(), makers.get(first));
        }
        continue;
      }
      Set<Node> distinct = new LinkedHashSet<>();
      masked.forEach(input -> distinct.add(owners.get(input.name())));
      if (distinct.size() == 1) {
        owners.put(node.name(), distinct.iterator().next());
        makers.put(node.name(), makers.get(masked.get(0).name()));
      } else {
        List<Node> all = new ArrayList<>();
        masked.forEach(input -> all.addAll(makers.get(input.name())));
        own(node, all);
      }
    }
  }

  /** The masks of {@code network}'s layers. */
  public static MaskFlow of(Network network) {
    return new MaskFlow(network);
  }

  private void own(Node node, List<Node> madeBy) {
    owners.put(node.name(), node);
    makers.put(node.name(), List.copyOf(madeBy));
    ownerList.add(node);
  }

  /** Whether any layer makes a mask. */
  public boolean any() {
    return !ownerList.isEmpty();
  }

  /** The layer owning the buffer of the mask on {@code layer}'s output, or null without one. */
  public Node owner(String layer) {
    return owners.get(layer);
  }

  /**
   * The layers owning a mask buffer, in execution order: those making a mask, and merges of
   * inputs with different masks, whose mask is their AND.
   */
  public List<Node> owners() {
    return List.copyOf(ownerList);
  }

  /** The layers whose masks the mask on {@code layer}'s output comes from. */
  public List<Node> makers(String layer) {
    return makers.getOrDefault(layer, List.of());
  }

  /** The layers that lose a mask, in execution order. */
  public List<Drop> drops() {
    return List.copyOf(drops);
  }
}
