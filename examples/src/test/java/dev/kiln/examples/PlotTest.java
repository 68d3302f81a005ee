package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.LayerSpec;
import dev.kiln.runtime.testing.SvgChecks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pictures of the seed's networks and of models with blocks: every layer (or application), shape
 * and input drawn, nothing overlapping.
 */
class PlotTest {

  @Test
  void everySeedNetworkIsDrawnWhole() {
    for (KilnModel model : List.of(MlpModel.create(1), CnnModel.create(1),
        SharedInputModel.create(1), MultipleInputsModel.create(1),
        SharedFeatureExtractionModel.create(1), MultipleOutputsModel.create(1),
        HeadlinesModel.create(1), RnnModel.create(1))) {
      SvgChecks.assertWellDrawn(model.toSvg(), model.spec());
    }
  }

  @Test
  void theUNetsSkipConnectionsAreDrawnToo() {
    KilnModel unet = UNetModel.create(1);
    SvgChecks.assertWellDrawn(unet.toSvg(true), unet.spec());
  }

  @Test
  void eachApplicationOfABlockIsOneBoxAsInTheSummary() {
    for (KilnModel model : List.of(UNetModel.create(1), ResNet50Model.create(1))) {
      String svg = model.toSvg();
      // The boxes, their types, parameters and arrows are the summary's rows (the processor's).
      SvgChecks.assertWellDrawn(svg, summaryRows(model));
      assertTrue(svg.contains("data-name=\"conv1\""), svg);
      assertFalse(svg.contains("data-application"), "no layer inside a block is drawn");
    }
    assertTrue(UNetModel.create(1).toSvg().contains("up6 (UpStage): (None, 32, 32, 512), 9,176,576 parameters"));
  }

  /** The summary's rows as boxes: name, type, inputs and parameters, the shape from the spec. */
  private static List<LayerSpec> summaryRows(KilnModel model) {
    List<LayerSpec> rows = new ArrayList<>();
    String[] lines = model.summary().split("\n");
    int headerLine = 0;
    while (!lines[headerLine].contains("Output Shape")) {
      headerLine++;
    }
    String header = lines[headerLine];
    int shapeColumn = header.indexOf("Output Shape");
    int parameterColumn = header.indexOf("Param #");
    int inputColumn = header.indexOf("Connected to");
    for (int i = headerLine + 1; i < lines.length && !lines[i].startsWith("Total"); i++) {
      String line = lines[i];
      if (line.startsWith("____") || line.startsWith("====") || line.isBlank()) {
        continue;
      }
      String[] nameAndType = column(line, 0, shapeColumn).split(" ");
      String name = nameAndType[0];
      String typeColumn = nameAndType[1];
      // A long name and type are cut at the column's width, as in Keras: then the spec's type.
      String type = typeColumn.endsWith(")")
          ? typeColumn.substring(1, typeColumn.length() - 1)
          : layer(model, name).type();
      List<String> inputs = new ArrayList<>();
      if (inputColumn < 0) {
        // A chain's table, as Keras prints a Sequential one: each row reads the row above.
        if (!type.equals("InputLayer")) {
          inputs.add(rows.get(rows.size() - 1).name());
        }
      } else {
        String first = column(line, inputColumn, line.length());
        if (!first.isEmpty()) {
          inputs.add(first.replace("[0][0]", ""));
        }
        while (i + 1 < lines.length && lines[i + 1].startsWith(" ".repeat(inputColumn))) {
          inputs.add(lines[++i].trim().replace("[0][0]", ""));
        }
      }
      long parameters = Long.parseLong(
          column(line, parameterColumn, inputColumn < 0 ? line.length() : inputColumn));
      rows.add(new LayerSpec(name, type, shape(model, name), inputs, parameters));
    }
    return rows;
  }

  private static String column(String line, int from, int to) {
    return from >= line.length() ? "" : line.substring(from, Math.min(to, line.length())).trim();
  }

  private static long[] shape(KilnModel model, String name) {
    return layer(model, name).shape();
  }

  private static LayerSpec layer(KilnModel model, String name) {
    return model.spec().layers().stream().filter(layer -> layer.name().equals(name)).findFirst()
        .orElseThrow();
  }

  @Test
  void plotWritesThePictureToAFile(@TempDir Path directory) throws IOException {
    MultipleInputsModel model = MultipleInputsModel.create(1);
    Path file = directory.resolve("pictures/multiple-inputs.svg");
    model.plot(file);
    String svg = Files.readString(file);
    assertEquals(model.toSvg(), svg);
    assertTrue(svg.contains("<title>MultipleInputs (424,874 parameters)</title>"), svg);
  }
}
