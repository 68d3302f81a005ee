package dev.kiln.runtime.plot;

import dev.kiln.runtime.ApplicationSpec;
import dev.kiln.runtime.LayerSpec;
import dev.kiln.runtime.ModelSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * A model's layers with each application of a block at the top of the model drawn as one box, as
 * Keras' {@code plot_model} draws a nested model unless {@code expand_nested}: the box has the
 * application's name, the block's type, its first output's shape and all its layers' parameters.
 */
final class CollapsedLayers {

  private CollapsedLayers() {}

  /** The boxes to draw, each after the boxes it reads. */
  static List<LayerSpec> of(ModelSpec spec) {
    if (spec.applications().isEmpty()) {
      return spec.layers();
    }
    Map<String, String> types = new HashMap<>();
    spec.applications().forEach(application -> types.put(application.name(), application.type()));
    Map<String, String> boxOf = new HashMap<>();
    for (LayerSpec layer : spec.layers()) {
      boxOf.put(layer.name(), boxOf(spec, layer.name()));
    }
    Map<String, Box> boxes = new LinkedHashMap<>();
    for (LayerSpec layer : spec.layers()) {
      String box = boxOf.get(layer.name());
      Box into = boxes.computeIfAbsent(box, name -> new Box(name, boxes.size()));
      into.parameters += layer.parameters();
      if (layer.name().equals(box)) {
        // A layer, or an application's first output, which names it.
        into.shape = layer.shape();
        into.type = types.getOrDefault(box, layer.type());
      }
      for (String input : layer.inputs()) {
        String read = boxOf.getOrDefault(input, input);
        if (!read.equals(box) && !into.inputs.contains(read)) {
          into.inputs.add(read);
        }
      }
    }
    return inReadingOrder(boxes);
  }

  /** Kahn's order, the earliest box first among those whose inputs are drawn. */
  private static List<LayerSpec> inReadingOrder(Map<String, Box> boxes) {
    Map<String, Integer> waiting = new HashMap<>();
    Map<String, List<Box>> readers = new HashMap<>();
    for (Box box : boxes.values()) {
      waiting.put(box.name, box.inputs.size());
      for (String input : box.inputs) {
        readers.computeIfAbsent(input, name -> new ArrayList<>()).add(box);
      }
    }
    PriorityQueue<Box> ready = new PriorityQueue<>((a, b) -> Integer.compare(a.first, b.first));
    boxes.values().stream().filter(box -> box.inputs.isEmpty()).forEach(ready::add);
    List<LayerSpec> ordered = new ArrayList<>();
    while (!ready.isEmpty()) {
      Box box = ready.poll();
      ordered.add(new LayerSpec(box.name, box.type, box.shape, box.inputs, box.parameters));
      for (Box reader : readers.getOrDefault(box.name, List.of())) {
        if (waiting.merge(reader.name, -1, Integer::sum) == 0) {
          ready.add(reader);
        }
      }
    }
    return ordered;
  }

  /** The box that draws {@code layer}: its application's, or its own. */
  static String boxOf(ModelSpec spec, String layer) {
    for (ApplicationSpec application : spec.applications()) {
      if (application.holds(layer)) {
        return application.name();
      }
    }
    return layer;
  }

  /** One box: a layer, or an application's layers together. */
  private static final class Box {
    final String name;
    final int first;
    final List<String> inputs = new ArrayList<>();
    String type;
    long[] shape = new long[0];
    long parameters;

    Box(String name, int first) {
      this.name = name;
      this.first = first;
    }
  }
}
