package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.testing.SvgChecks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pictures of the seed's networks: every layer, shape and input drawn, nothing overlapping. */
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
    SvgChecks.assertWellDrawn(unet.toSvg(), unet.spec());
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
