package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The seed's convolutional networks: summaries equal to its Keras tables. */
class ConvolutionalSeedTest {

  @Test
  void cnnSummaryEqualsTheSeedsTableIncludingDenseOnTheLastAxis() {
    SeedTables.assertSameTable("cnn", CnnModel.create(1).summary());
  }

  @Test
  void sharedInputSummaryMatchesTheSeedRowByRow() {
    SeedTables.assertSameRows(
        "shared_input",
        SharedInputModel.create(1).summary(),
        Map.of("flatten_1", "flat1", "flatten_2", "flat2", "concatenate_1", "merge"));
  }

  @Test
  void multipleInputsSummaryMatchesTheSeedRowByRow() {
    SeedTables.assertSameRows(
        "multiple_inputs",
        MultipleInputsModel.create(1).summary(),
        Map.of(
            "img_gray_bigsize", "grayBig",
            "img_rgb_bigsize", "rgbSmall",
            "flatten_3", "flat1",
            "flatten_4", "flat2",
            "concatenate_2", "merge"));
  }

  @Test
  void uNetHasKerasParameterCountPerLayer() {
    // Keras: a k x k convolution from c to f channels has k*k*c*f + f parameters.
    UNetModel model = UNetModel.create(1);
    long expected =
        conv(3, 1, 64) + conv(3, 64, 64)
            + conv(3, 64, 128) + conv(3, 128, 128)
            + conv(3, 128, 256) + conv(3, 256, 256)
            + conv(3, 256, 512) + conv(3, 512, 512)
            + conv(3, 512, 1024) + conv(3, 1024, 1024)
            + conv(2, 1024, 512) + conv(3, 1024, 512) + conv(3, 512, 512)
            + conv(2, 512, 256) + conv(3, 512, 256) + conv(3, 256, 256)
            + conv(2, 256, 128) + conv(3, 256, 128) + conv(3, 128, 128)
            + conv(2, 128, 64) + conv(3, 128, 64) + conv(3, 64, 64) + conv(3, 64, 2)
            + conv(1, 2, 1);
    assertEquals(31_031_685, expected);
    assertEquals(expected, model.parameterCount());
    for (SeedTables.Row row : SeedTables.rows(model.summary())) {
      if (row.name().equals("conv6a")) {
        assertEquals("(None, 32, 32, 512)", row.shape());
        assertEquals(conv(3, 1024, 512), row.params());
      }
      if (row.name().equals("merge9")) {
        assertEquals("(None, 256, 256, 128)", row.shape());
      }
    }
  }

  private static long conv(int kernel, int in, int out) {
    return (long) kernel * kernel * in * out + out;
  }
}
