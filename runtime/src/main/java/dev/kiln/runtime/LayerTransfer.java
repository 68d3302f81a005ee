package dev.kiln.runtime;

import java.util.Arrays;
import java.util.List;

/**
 * Copies the weights of layers between two models: a trained model into the application of it
 * inside a bigger model (transfer learning), and back out. Generated models call it from their
 * {@code loadEncoder(path)} and {@code saveEncoder(path)} for each {@code @Model} they apply.
 */
public final class LayerTransfer {

  private LayerTransfer() {}

  /**
   * Copies the weights of {@code part}, a model applied as the layer {@code application} of
   * {@code whole}, into that application ({@code into}) or out of it. Inside {@code whole} the
   * part's layer {@code firstOutput} is named {@code application}, its other layers {@code
   * application/layer}.
   */
  public static void transfer(KilnModel part, KilnModel whole, String application, String firstOutput,
      boolean into) {
    List<String> partLayers = new java.util.ArrayList<>();
    List<String> wholeLayers = new java.util.ArrayList<>();
    for (ParameterSpec parameter : part.spec().parameters()) {
      String layer = parameter.layer();
      if (partLayers.contains(layer)) {
        continue;
      }
      partLayers.add(layer);
      wholeLayers.add(layer.equals(firstOutput)
          ? application
          : layer.startsWith(firstOutput + "/")
              ? application + layer.substring(firstOutput.length())
              : application + "/" + layer);
    }
    if (into) {
      copy(part, whole, partLayers, wholeLayers);
    } else {
      copy(whole, part, wholeLayers, partLayers);
    }
  }

  /**
   * Copies every parameter of layer {@code fromLayers[i]} of {@code from} into the parameter of
   * the same name of layer {@code toLayers[i]} of {@code to}, converting between float types.
   */
  public static void copy(KilnModel from, KilnModel to, List<String> fromLayers, List<String> toLayers) {
    if (fromLayers.size() != toLayers.size()) {
      throw new IllegalArgumentException(fromLayers + " and " + toLayers + " do not pair up");
    }
    List<ParameterSpec> source = from.spec().parameters();
    List<ParameterSpec> target = to.spec().parameters();
    synchronized (to) {
      for (int i = 0; i < fromLayers.size(); i++) {
        for (int s = 0; s < source.size(); s++) {
          ParameterSpec parameter = source.get(s);
          if (!parameter.layer().equals(fromLayers.get(i))) {
            continue;
          }
          int t = indexOf(target, toLayers.get(i), parameter.name());
          if (t < 0 || !Arrays.equals(target.get(t).shape(), parameter.shape())) {
            throw new IllegalArgumentException(
                from.spec().name() + "'s " + parameter.layer() + "." + parameter.name() + " "
                    + Arrays.toString(parameter.shape()) + " has no counterpart of that shape in "
                    + to.spec().name() + "'s " + toLayers.get(i));
          }
          to.parameter(t).assign(from.parameter(s));
        }
      }
    }
  }

  private static int indexOf(List<ParameterSpec> parameters, String layer, String name) {
    for (int i = 0; i < parameters.size(); i++) {
      if (parameters.get(i).layer().equals(layer) && parameters.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }
}
