package dev.kiln.runtime.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Loss;
import dev.kiln.Optimizer;
import dev.kiln.runtime.ApplicationSpec;
import dev.kiln.runtime.InputSpec;
import dev.kiln.runtime.LayerSpec;
import dev.kiln.runtime.ModelSpec;
import dev.kiln.runtime.OutputSpec;
import dev.kiln.runtime.optim.OptimizerSpec;
import dev.kiln.runtime.testing.SvgChecks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Pictures of small graphs of every kind: their structure, and the layout's promises. */
class GraphPictureTest {

  @Test
  void chain() {
    ModelSpec spec = spec(List.of(
        layer("input", "InputLayer", List.of(), 784),
        layer("hidden", "Dense", List.of("input"), 64),
        layer("output", "Dense", List.of("hidden"), 10)), "output");
    String svg = GraphPicture.svg(spec);
    SvgChecks.assertWellDrawn(svg, spec);
    // A chain is one straight column.
    List<Double> centres = boxCentres(svg);
    assertEquals(centres.get(0), centres.get(1), 1e-9);
    assertEquals(centres.get(1), centres.get(2), 1e-9);
  }

  @Test
  void sharedInputBranchesAndMerges() {
    ModelSpec spec = spec(List.of(
        layer("input", "InputLayer", List.of(), 28, 28, 1),
        layer("conv1", "Conv2D", List.of("input"), 25, 25, 32),
        layer("conv2", "Conv2D", List.of("input"), 21, 21, 16),
        layer("flat1", "Flatten", List.of("conv1"), 20000),
        layer("flat2", "Flatten", List.of("conv2"), 7056),
        layer("merge", "Concatenate", List.of("flat1", "flat2"), 27056),
        layer("output", "Dense", List.of("merge"), 10)), "output");
    String svg = GraphPicture.svg(spec);
    SvgChecks.assertWellDrawn(svg, spec);
    // Concatenate's inputs in their declared order, left to right.
    assertTrue(boxX(svg, "flat1") < boxX(svg, "flat2"), svg);
  }

  @Test
  void secondInputSitsJustAboveWhereItJoins() {
    List<LayerSpec> layers = List.of(
        layer("main", "InputLayer", List.of(), 100),
        layer("embedding", "Embedding", List.of("main"), 100, 512),
        layer("lstm", "LSTM", List.of("embedding"), 32),
        layer("aux", "InputLayer", List.of(), 5),
        layer("merged", "Concatenate", List.of("lstm", "aux"), 37),
        layer("out", "Dense", List.of("merged"), 1),
        layer("auxOut", "Dense", List.of("lstm"), 1));
    ModelSpec spec = spec(layers, "out", "auxOut");
    SvgChecks.assertWellDrawn(GraphPicture.svg(spec), spec);
    LayeredLayout layout = layout(layers);
    assertEquals(3, layout.rank(4), "merged");
    assertEquals(2, layout.rank(3), "aux, just above merged, not at the top");
    assertEquals(0, layout.crossings());
  }

  @Test
  void longSkipConnectionsRunStraightAroundTheLayers() {
    // A small U-Net: two levels down, two up, each level's output skipping to its twin.
    List<LayerSpec> layers = List.of(
        layer("input", "InputLayer", List.of(), 32, 32, 1),
        layer("down1", "Conv2D", List.of("input"), 32, 32, 8),
        layer("pool1", "MaxPooling2D", List.of("down1"), 16, 16, 8),
        layer("down2", "Conv2D", List.of("pool1"), 16, 16, 16),
        layer("pool2", "MaxPooling2D", List.of("down2"), 8, 8, 16),
        layer("bottom", "Conv2D", List.of("pool2"), 8, 8, 32),
        layer("up2", "UpSampling2D", List.of("bottom"), 16, 16, 32),
        layer("merge2", "Concatenate", List.of("down2", "up2"), 16, 16, 48),
        layer("up1", "UpSampling2D", List.of("merge2"), 32, 32, 48),
        layer("merge1", "Concatenate", List.of("down1", "up1"), 32, 32, 56),
        layer("output", "Conv2D", List.of("merge1"), 32, 32, 1));
    ModelSpec spec = spec(layers, "output");
    String svg = GraphPicture.svg(spec);
    SvgChecks.assertWellDrawn(svg, spec);
    LayeredLayout layout = layout(layers);
    assertEquals(0, layout.crossings());
    double[] lanes = layout.lanes(edgeIndex(layers, "down1", "merge1"));
    assertEquals(7, lanes.length, "down1 is 8 layers above merge1");
    for (double lane : lanes) {
      assertEquals(lanes[0], lane, 1e-9, "the skip from down1 runs straight");
    }
  }

  @Test
  void aLayerReadingOneTensorTwiceHasTwoArrows() {
    ModelSpec spec = spec(List.of(
        layer("input", "InputLayer", List.of(), 4),
        layer("square", "Multiply", List.of("input", "input"), 4),
        layer("sequence", "LSTM", List.of("square"), -1, 8)), "sequence");
    String svg = GraphPicture.svg(spec);
    SvgChecks.assertWellDrawn(svg, spec);
    assertTrue(svg.contains("(None, None, 8)"), "a variable axis is None");
  }

  @Test
  void samePictureEveryTime() {
    ModelSpec spec = spec(List.of(
        layer("a", "InputLayer", List.of(), 3),
        layer("b", "Dense", List.of("a"), 3),
        layer("c", "Dense", List.of("a"), 3),
        layer("d", "Add", List.of("b", "c"), 3)), "d");
    assertEquals(GraphPicture.svg(spec), GraphPicture.svg(spec));
  }

  @Test
  void anApplicationOfABlockIsOneBoxUnlessExpanded() {
    List<LayerSpec> layers = List.of(
        layer("input", "InputLayer", List.of(), 8),
        layer("left/hidden", "Dense", List.of("input"), 4),
        layer("left", "Dense", List.of("left/hidden"), 2),
        layer("right/hidden", "Dense", List.of("input"), 4),
        layer("right", "Dense", List.of("right/hidden"), 2),
        layer("merge", "Concatenate", List.of("left", "right"), 4),
        layer("output", "Dense", List.of("merge"), 1));
    ModelSpec spec = new ModelSpec("Twins", "fp", List.of(), List.of(), List.of(),
        OptimizerSpec.of(Optimizer.SGD), List.of(), layers, "", "",
        List.of(new ApplicationSpec("left", "Tower"), new ApplicationSpec("right", "Tower")));

    String collapsed = GraphPicture.svg(spec);
    // Each tower is one box: the block's type, its first output's shape, both layers' parameters.
    SvgChecks.assertWellDrawn(collapsed, List.of(
        layer("input", "InputLayer", List.of(), 8),
        new LayerSpec("left", "Tower", new long[] {2}, List.of("input"), 20),
        new LayerSpec("right", "Tower", new long[] {2}, List.of("input"), 20),
        layer("merge", "Concatenate", List.of("left", "right"), 4),
        layer("output", "Dense", List.of("merge"), 1)));
    assertTrue(collapsed.contains("left (Tower): (None, 2), 20 parameters"), collapsed);
    assertTrue(collapsed.contains("(70 parameters)"), "the title counts every layer: " + collapsed);
    assertTrue(!collapsed.contains("data-application"), collapsed);

    String expanded = GraphPicture.svg(spec, true);
    SvgChecks.assertWellDrawn(expanded, spec);
    assertTrue(expanded.contains("data-name=\"left/hidden\" data-application=\"left\""), expanded);
    assertTrue(expanded.contains("left/hidden (Dense): (None, 4), 10 parameters, in left (Tower)"),
        expanded);
  }

  @Test
  void anOutputInsideAnApplicationMakesItsBoxAnOutput() {
    List<LayerSpec> layers = List.of(
        layer("input", "InputLayer", List.of(), 8),
        layer("head/hidden", "Dense", List.of("input"), 4),
        layer("head", "Dense", List.of("head/hidden"), 2),
        layer("head/side", "Dense", List.of("head/hidden"), 3),
        layer("after", "Dense", List.of("head"), 1));
    ModelSpec spec = new ModelSpec("Heads", "fp", List.of(),
        List.of(new OutputSpec("head/side", new long[] {3}, Loss.MSE, 1, List.of()),
            new OutputSpec("after", new long[] {1}, Loss.MSE, 1, List.of())),
        List.of(), OptimizerSpec.of(Optimizer.SGD), List.of(), layers, "", "",
        List.of(new ApplicationSpec("head", "Heads")));
    String collapsed = GraphPicture.svg(spec);
    SvgChecks.assertWellDrawn(collapsed, List.of(
        layer("input", "InputLayer", List.of(), 8),
        new LayerSpec("head", "Heads", new long[] {2}, List.of("input"), 30),
        layer("after", "Dense", List.of("head"), 1)));
    assertTrue(collapsed.contains("class=\"layer output\" data-name=\"head\""), collapsed);
  }

  @Test
  void specsWithoutLayersOrWithUnknownInputsAreRefused() {
    IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
        () -> GraphPicture.svg(spec(List.of())));
    assertTrue(empty.getMessage().contains("no layers"), empty.getMessage());
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
        () -> GraphPicture.svg(spec(List.of(layer("b", "Dense", List.of("a"), 3)), "b")));
    assertTrue(unknown.getMessage().contains("'a'"), unknown.getMessage());
  }

  private static LayerSpec layer(String name, String type, List<String> inputs, long... shape) {
    return new LayerSpec(name, type, shape, inputs, 10);
  }

  private static ModelSpec spec(List<LayerSpec> layers, String... outputs) {
    List<OutputSpec> outputSpecs = new ArrayList<>();
    for (String output : outputs) {
      outputSpecs.add(new OutputSpec(output, new long[] {1}, Loss.MSE, 1, List.of()));
    }
    List<InputSpec> inputs = List.of(new InputSpec("input", new long[] {1}, DType.FLOAT32));
    return new ModelSpec("Test", "fp", inputs, outputSpecs, List.of(), Optimizer.SGD, Double.NaN,
        List.of(), layers, "", "");
  }

  /** The layout GraphPicture makes for {@code layers}, with its box widths. */
  private static LayeredLayout layout(List<LayerSpec> layers) {
    List<LayeredLayout.Edge> edges = new ArrayList<>();
    for (int to = 0; to < layers.size(); to++) {
      List<String> inputs = layers.get(to).inputs();
      for (int port = 0; port < inputs.size(); port++) {
        edges.add(new LayeredLayout.Edge(index(layers, inputs.get(port)), to, port, inputs.size()));
      }
    }
    double[] widths = new double[layers.size()];
    Arrays.fill(widths, 150);
    return LayeredLayout.of(widths, edges);
  }

  private static int edgeIndex(List<LayerSpec> layers, String from, String to) {
    int edge = 0;
    for (LayerSpec layer : layers) {
      for (String input : layer.inputs()) {
        if (layer.name().equals(to) && input.equals(from)) {
          return edge;
        }
        edge++;
      }
    }
    throw new AssertionError("no edge " + from + " -> " + to);
  }

  private static int index(List<LayerSpec> layers, String name) {
    for (int i = 0; i < layers.size(); i++) {
      if (layers.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new AssertionError(name);
  }

  /** The horizontal centres of the boxes, in layer order. */
  private static List<Double> boxCentres(String svg) {
    List<Double> centres = new ArrayList<>();
    Matcher rect = Pattern.compile(
        "<rect x=\"([-0-9.]+)\" y=\"[-0-9.]+\" width=\"([-0-9.]+)\"").matcher(svg);
    while (rect.find()) {
      centres.add(Double.parseDouble(rect.group(1)) + Double.parseDouble(rect.group(2)) / 2);
    }
    return centres;
  }

  private static double boxX(String svg, String name) {
    Matcher rect = Pattern.compile("data-name=\"" + name + "\">\\s*<title>[^<]*</title>\\s*"
        + "<rect x=\"([-0-9.]+)\"").matcher(svg);
    assertTrue(rect.find(), "box of " + name);
    return Double.parseDouble(rect.group(1));
  }
}
