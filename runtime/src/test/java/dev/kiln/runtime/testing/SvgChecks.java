package dev.kiln.runtime.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.LayerSpec;
import dev.kiln.runtime.ModelSpec;
import dev.kiln.runtime.Shapes;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Checks a model picture's SVG by its structure: it parses as XML; every layer has one box with
 * its name, type and output shape; every input of every layer has one arrow, leaving the bottom
 * of its source's box and entering the top of its target's; arrows only go down; no two boxes
 * overlap; no arrow passes through a box.
 */
public final class SvgChecks {

  /** A layer's box. */
  private record Box(double x, double y, double width, double height) {
    boolean overlaps(Box other) {
      return x < other.x + other.width && other.x < x + width
          && y < other.y + other.height && other.y < y + height;
    }
  }

  private SvgChecks() {}

  public static void assertWellDrawn(String svg, ModelSpec spec) {
    assertWellDrawn(svg, spec.layers());
  }

  /** The same, for a picture whose boxes are {@code layers} (an application of a block as one). */
  public static void assertWellDrawn(String svg, List<LayerSpec> layers) {
    Document document = parse(svg);
    Map<String, Box> boxes = new HashMap<>();
    NodeList groups = document.getElementsByTagName("g");
    for (int i = 0; i < groups.getLength(); i++) {
      Element group = (Element) groups.item(i);
      if (!group.getAttribute("class").startsWith("layer ")
          && !group.getAttribute("class").equals("layer")) {
        continue;
      }
      String name = group.getAttribute("data-name");
      assertFalse(boxes.containsKey(name), "two boxes for " + name);
      Element rect = (Element) group.getElementsByTagName("rect").item(0);
      boxes.put(name, new Box(number(rect, "x"), number(rect, "y"), number(rect, "width"),
          number(rect, "height")));
      StringBuilder shown = new StringBuilder();
      NodeList texts = group.getElementsByTagName("text");
      for (int t = 0; t < texts.getLength(); t++) {
        shown.append(texts.item(t).getTextContent()).append('\n');
      }
      String text = shown.toString();
      LayerSpec layer = layer(layers, name);
      assertTrue(text.contains(name + " (" + layer.type() + ")"), "label of " + name + ": " + text);
      assertTrue(text.contains(Shapes.withBatch(layer.shape())), "shape of " + name + ": " + text);
    }
    assertEquals(layers.size(), boxes.size(), "one box per layer: " + boxes.keySet());

    List<String> expectedEdges = new ArrayList<>();
    layers.forEach(layer ->
        layer.inputs().forEach(input -> expectedEdges.add(input + " -> " + layer.name())));
    List<String> edges = new ArrayList<>();
    NodeList paths = document.getElementsByTagName("path");
    for (int i = 0; i < paths.getLength(); i++) {
      Element path = (Element) paths.item(i);
      if (!path.getAttribute("class").equals("edge")) {
        continue;
      }
      String from = path.getAttribute("data-from");
      String to = path.getAttribute("data-to");
      edges.add(from + " -> " + to);
      checkPath(path.getAttribute("d"), from + " -> " + to, boxes.get(from), boxes.get(to), boxes);
    }
    expectedEdges.sort(null);
    edges.sort(null);
    assertEquals(expectedEdges, edges, "one arrow per input of every layer");

    List<String> names = new ArrayList<>(boxes.keySet());
    for (int i = 0; i < names.size(); i++) {
      for (int j = i + 1; j < names.size(); j++) {
        assertFalse(boxes.get(names.get(i)).overlaps(boxes.get(names.get(j))),
            names.get(i) + " overlaps " + names.get(j));
      }
    }
    Element root = document.getDocumentElement();
    double width = number(root, "width");
    double height = number(root, "height");
    boxes.forEach((name, box) -> assertTrue(
        box.x >= 0 && box.y >= 0 && box.x + box.width <= width && box.y + box.height <= height,
        name + " lies outside the picture"));
  }

  /**
   * An arrow is {@code M}, then cubic curves and vertical lines; it starts at the bottom of its
   * source, ends at the top of its target, never goes up, and its vertical lines pass no box.
   */
  private static void checkPath(String d, String edge, Box from, Box to, Map<String, Box> boxes) {
    String[] tokens = d.trim().split("\\s+");
    assertEquals("M", tokens[0], edge + ": " + d);
    double x = Double.parseDouble(tokens[1]);
    double y = Double.parseDouble(tokens[2]);
    assertEquals(from.y + from.height, y, 0.11, edge + " starts at the bottom of its source");
    assertTrue(x >= from.x && x <= from.x + from.width, edge + " starts under its source");
    int i = 3;
    while (i < tokens.length) {
      String command = tokens[i];
      if (command.equals("C")) {
        double endX = Double.parseDouble(tokens[i + 5]);
        double endY = Double.parseDouble(tokens[i + 6]);
        assertTrue(endY > y, edge + " goes up: " + d);
        x = endX;
        y = endY;
        i += 7;
      } else if (command.equals("L")) {
        double endX = Double.parseDouble(tokens[i + 1]);
        double endY = Double.parseDouble(tokens[i + 2]);
        assertEquals(x, endX, 1e-9, edge + ": lines run straight down: " + d);
        assertTrue(endY > y, edge + " goes up: " + d);
        for (Map.Entry<String, Box> box : boxes.entrySet()) {
          Box b = box.getValue();
          boolean besideVertically = endY <= b.y || y >= b.y + b.height;
          boolean besideHorizontally = x < b.x || x > b.x + b.width;
          assertTrue(besideVertically || besideHorizontally,
              edge + " passes through " + box.getKey());
        }
        y = endY;
        i += 3;
      } else {
        throw new AssertionError(edge + ": unexpected path command " + command + " in " + d);
      }
    }
    assertEquals(to.y, y, 0.11, edge + " ends at the top of its target");
    assertTrue(x > to.x && x < to.x + to.width, edge + " ends over its target");
  }

  private static LayerSpec layer(List<LayerSpec> layers, String name) {
    return layers.stream().filter(layer -> layer.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("a box for " + name + ", which is no layer"));
  }

  private static double number(Element element, String attribute) {
    return Double.parseDouble(element.getAttribute(attribute));
  }

  private static Document parse(String svg) {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      return factory.newDocumentBuilder()
          .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new AssertionError("the SVG is no well-formed XML: " + e.getMessage(), e);
    }
  }
}
