package dev.kiln.processor.graph;

import dev.kiln.processor.check.Report;
import dev.kiln.processor.layers.Words;
import dev.kiln.processor.parse.InputRef;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.parse.ModelDecl;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The layers as a graph: edges from each layer to the layers reading it. Building it reports
 * unknown references, duplicate names, wrong input counts, cycles and disconnected layers, and
 * orders the layers that reach an output as Keras does (by depth, deepest first).
 */
public final class LayerGraph {

  private final ModelDecl model;
  private final Map<String, LayerDecl> byName;
  private final List<LayerDecl> order;

  private LayerGraph(ModelDecl model, Map<String, LayerDecl> byName, List<LayerDecl> order) {
    this.model = model;
    this.byName = byName;
    this.order = order;
  }

  public ModelDecl model() {
    return model;
  }

  /**
   * The layers that reach an output, inputs first and outputs last, in the order Keras' summary
   * lists them. It is a topological order: every layer comes after the layers it reads.
   */
  public List<LayerDecl> order() {
    return order;
  }

  public LayerDecl layer(String name) {
    return byName.get(name);
  }

  /** The graph, or empty if a structural error makes it meaningless. */
  public static Optional<LayerGraph> build(ModelDecl model, Report report) {
    Map<String, LayerDecl> byName = new LinkedHashMap<>();
    for (LayerDecl layer : model.layers()) {
      LayerDecl earlier = byName.putIfAbsent(layer.name(), layer);
      if (earlier != null) {
        report.error(
            "DuplicateLayer",
            "two methods are named " + layer.name() + "; method names are layer names and must"
                + " be unique, so rename one",
            layer.method());
      }
    }
    for (LayerDecl layer : model.layers()) {
      checkReferences(layer, byName, report);
      checkSharing(layer, byName, report);
      int count = layer.inputs().size();
      if (!layer.kind().arity().allows(count)) {
        report.error(
            "Arity",
            layer.name() + " is " + Words.aLayer(layer.kind()) + ", which takes "
                + layer.kind().arity().describe() + ", but its method has " + count
                + (count == 1 ? " parameter" : " parameters"),
            layer.method(),
            layer.attributes().mirror());
      }
    }
    if (report.hasErrors()) {
      return Optional.empty();
    }
    if (Cycles.report(model.layers(), byName, report)) {
      return Optional.empty();
    }
    List<LayerDecl> outputs = model.layers().stream().filter(LayerDecl::isOutput).toList();
    if (outputs.isEmpty()) {
      report.error(
          "NoOutput",
          model.name() + " has no @Output; mark the layer(s) the model predicts with"
              + " @Output(loss = ...)",
          model.type());
      return Optional.empty();
    }
    for (LayerDecl layer : model.layers()) {
      if (layer.isOutput() && layer.kind().isInput()) {
        report.error(
            "InputAsOutput",
            "input " + layer.name() + " is marked @Output; an output must be computed by a layer",
            layer.method(),
            layer.output().attributes().mirror());
      }
    }
    Set<String> live = reachingOutputs(outputs, byName);
    for (LayerDecl layer : model.layers()) {
      if (live.contains(layer.name()) && layer.weightsOf() != null && !live.contains(layer.weightsOf())) {
        report.error(
            "SharedWeightsMismatch",
            layer.name() + " uses the weights of " + layer.weightsOf() + ", which reaches no"
                + " @Output and so is not part of the model; connect it, or let " + layer.name()
                + " have its own weights",
            layer.method(),
            layer.sharing().mirror(),
            layer.sharing().written("value"));
      }
    }
    for (LayerDecl layer : model.layers()) {
      if (live.contains(layer.name())) {
        continue;
      }
      if (layer.kind().isInput()) {
        report.error(
            "Disconnected",
            "input " + layer.name() + " reaches no @Output; connect it or remove it",
            layer.method(),
            layer.attributes().mirror());
      } else {
        report.warning(
            "Unused",
            "layer " + layer.name() + " reaches no @Output and is left out of the model;"
                + " connect it to an output or remove it",
            layer.method(),
            layer.attributes().mirror());
      }
    }
    if (report.hasErrors()) {
      return Optional.empty();
    }
    return Optional.of(new LayerGraph(model, byName, kerasOrder(outputs, byName)));
  }

  private static void checkReferences(
      LayerDecl layer, Map<String, LayerDecl> byName, Report report) {
    for (InputRef input : layer.inputs()) {
      if (byName.containsKey(input.layer())) {
        continue;
      }
      String suggestion = Names.closest(input.layer(), byName.keySet());
      String message =
          layer.name() + " reads from " + input.layer() + ", but there is no layer named "
              + input.layer()
              + (suggestion != null
                  ? "; did you mean " + suggestion + "?"
                  : "; name the parameter after a layer method, or use @From(\"layer\")");
      if (input.from() != null) {
        report.error("UnknownLayer", message, input.parameter(), input.from(), input.fromValue());
      } else {
        report.error("UnknownLayer", message, input.parameter());
      }
    }
  }

  private static void checkSharing(LayerDecl layer, Map<String, LayerDecl> byName, Report report) {
    String ownerName = layer.weightsOf();
    if (ownerName == null) {
      return;
    }
    LayerDecl owner = byName.get(ownerName);
    String problem = null;
    String tag = "SharedWeightsMismatch";
    if (owner == null) {
      tag = "UnknownLayer";
      String suggestion = Names.closest(ownerName, byName.keySet());
      problem = layer.name() + " uses the weights of " + ownerName + ", but there is no layer named "
          + ownerName + (suggestion != null ? "; did you mean " + suggestion + "?" : "");
    } else if (owner == layer) {
      problem = layer.name() + " names itself in @SameWeightsAs; name the layer whose weights it"
          + " uses";
    } else if (owner.kind() != layer.kind()) {
      problem = layer.name() + " is " + Words.aLayer(layer.kind()) + " but uses the weights"
          + " of " + ownerName + ", " + Words.aLayer(owner.kind()) + "; shared weights"
          + " need the same kind of layer";
    } else if (owner.weightsOf() != null) {
      problem = layer.name() + " uses the weights of " + ownerName + ", which uses those of "
          + owner.weightsOf() + "; name " + owner.weightsOf() + " directly";
    }
    if (problem != null) {
      report.error(tag, problem, layer.method(), layer.sharing().mirror(),
          layer.sharing().written("value"));
    }
  }

  private static Set<String> reachingOutputs(
      List<LayerDecl> outputs, Map<String, LayerDecl> byName) {
    Set<String> live = new HashSet<>();
    Deque<LayerDecl> pending = new ArrayDeque<>(outputs);
    while (!pending.isEmpty()) {
      LayerDecl layer = pending.pop();
      if (live.add(layer.name())) {
        layer.inputs().forEach(input -> pending.push(byName.get(input.layer())));
      }
    }
    return live;
  }

  /**
   * Keras' layer order: by depth (the longest path to an output), deepest first; layers of equal
   * depth in the order a depth-first walk from the outputs meets them.
   */
  private static List<LayerDecl> kerasOrder(
      List<LayerDecl> outputs, Map<String, LayerDecl> byName) {
    Map<String, Integer> walkOrder = new LinkedHashMap<>();
    for (LayerDecl output : outputs) {
      walk(output, byName, walkOrder);
    }
    Map<String, Integer> depth = new HashMap<>();
    // Reverse walk order visits every consumer before its producers.
    List<String> names = new ArrayList<>(walkOrder.keySet());
    List<String> consumersFirst = topologicalConsumersFirst(names, byName);
    for (String name : consumersFirst) {
      depth.putIfAbsent(name, 0);
      int next = depth.get(name) + 1;
      for (InputRef input : byName.get(name).inputs()) {
        depth.merge(input.layer(), next, Math::max);
      }
    }
    List<LayerDecl> ordered = new ArrayList<>();
    names.forEach(name -> ordered.add(byName.get(name)));
    ordered.sort(
        (a, b) -> {
          int byDepth = Integer.compare(depth.get(b.name()), depth.get(a.name()));
          return byDepth != 0 ? byDepth : Integer.compare(walkOrder.get(a.name()), walkOrder.get(b.name()));
        });
    return ordered;
  }

  private static void walk(
      LayerDecl layer, Map<String, LayerDecl> byName, Map<String, Integer> walkOrder) {
    if (walkOrder.containsKey(layer.name())) {
      return;
    }
    walkOrder.put(layer.name(), walkOrder.size());
    for (InputRef input : layer.inputs()) {
      walk(byName.get(input.layer()), byName, walkOrder);
    }
  }

  /** The names ordered so that every layer comes before the layers it reads. */
  private static List<String> topologicalConsumersFirst(
      List<String> names, Map<String, LayerDecl> byName) {
    Map<String, Integer> consumers = new HashMap<>();
    names.forEach(name -> consumers.put(name, 0));
    for (String name : names) {
      for (InputRef input : byName.get(name).inputs()) {
        consumers.merge(input.layer(), 1, Integer::sum);
      }
    }
    Deque<String> ready = new ArrayDeque<>();
    names.stream().filter(name -> consumers.get(name) == 0).forEach(ready::add);
    Set<String> emitted = new LinkedHashSet<>();
    while (!ready.isEmpty()) {
      String name = ready.poll();
      emitted.add(name);
      for (InputRef input : byName.get(name).inputs()) {
        if (consumers.merge(input.layer(), -1, Integer::sum) == 0) {
          ready.add(input.layer());
        }
      }
    }
    return new ArrayList<>(emitted);
  }
}
