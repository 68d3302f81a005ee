package dev.kiln.processor.check;

import dev.kiln.processor.layers.Words;
import dev.kiln.processor.shape.MaskFlow;
import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.Node;

/**
 * Warns where a mask is lost: a layer that ignores masks reads a tensor that carries one, so
 * from there on padded steps count as data. Keras drops such a mask without a word.
 */
final class MaskValidator {

  /** The layers that read a mask, for the warning's fix. */
  static final String READERS =
      "@GlobalAveragePooling1D, @LSTM, @GRU, @SimpleRNN, @Bidirectional, @MultiHeadAttention";

  private MaskValidator() {}

  static Report validate(Network network) {
    Report.Builder report = Report.about(network.model().type());
    for (MaskFlow.Drop drop : MaskFlow.of(network).drops()) {
      Node layer = drop.layer();
      Node maker = drop.maker();
      String made = maker.decl().kind().kerasName().equals("Embedding")
          ? "Embedding with maskZero = true"
          : maker.decl().kind().kerasName();
      report.warning(
          Tag.MASK_DROPPED,
          layer.name() + " is " + Words.aLayer(layer.decl().kind()) + ", which ignores masks, but"
              + " its input " + drop.input().name() + " carries "
              + (drop.input() == maker ? "a mask of padded steps (" : "the mask of padded steps"
                  + " made by " + maker.name() + " (")
              + made + "): from " + layer.name() + " on, padded steps"
              + " count as data; read the sequence with a layer that uses the mask (" + READERS
              + ") before " + layer.name() + ", or remove the mask at " + maker.name()
              + " if padding should count",
          layer.decl().site());
    }
    return report.build();
  }
}
