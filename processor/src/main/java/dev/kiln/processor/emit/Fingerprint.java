package dev.kiln.processor.emit;

import dev.kiln.processor.layers.ParamDecl;
import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.Node;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A digest of everything that makes two models compatible: every layer's name, kind,
 * attributes, inputs, shape and parameters. Checkpoints record it.
 */
public final class Fingerprint {

  private Fingerprint() {}

  public static String of(Network network) {
    StringBuilder text = new StringBuilder();
    for (Node node : network.nodes()) {
      text.append(node.name())
          .append('|')
          .append(node.decl().kind().kerasName())
          .append('|')
          .append(node.decl().attributes().canonical())
          .append('|')
          .append(node.inputs())
          .append('|')
          .append(node.shape());
      for (ParamDecl param : node.params()) {
        text.append('|').append(param.name()).append(param.shape());
      }
      text.append('\n');
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
