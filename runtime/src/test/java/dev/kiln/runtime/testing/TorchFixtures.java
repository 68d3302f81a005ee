package dev.kiln.runtime.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * PyTorch's float64 values for the newer layers, from {@code torch-fixtures.txt}, which {@code
 * runtime/src/test/python/layer_fixtures.py} writes: one named row of numbers per line.
 */
public final class TorchFixtures {

  private static Map<String, double[]> rows;

  private TorchFixtures() {}

  /** The row {@code name}. */
  public static synchronized double[] row(String name) {
    if (rows == null) {
      rows = read();
    }
    double[] row = rows.get(name);
    if (row == null) {
      throw new IllegalArgumentException("no fixture " + name + "; rerun layer_fixtures.py");
    }
    return row.clone();
  }

  /** The row {@code name} as a float64 array of {@code shape}. */
  public static INDArray array(String name, long... shape) {
    return Nd4j.createFromArray(row(name)).reshape(shape);
  }

  /**
   * Asserts that {@code actual} equals PyTorch's row {@code name} to float64 rounding: within
   * {@code 1e-12} of the row's largest magnitude (at least 1).
   */
  public static void assertMatches(String name, INDArray actual) {
    double[] expected = row(name);
    double scale = 1;
    for (double value : expected) {
      scale = Math.max(scale, Math.abs(value));
    }
    PlainArrays.assertAllClose(expected, PlainArrays.values(actual), 1e-12 * scale,
        name + " against PyTorch");
  }

  private static Map<String, double[]> read() {
    Map<String, double[]> read = new HashMap<>();
    try (InputStream in = TorchFixtures.class.getResourceAsStream(
        "/dev/kiln/runtime/kernels/torch-fixtures.txt")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        int colon = line.indexOf(": ");
        read.put(line.substring(0, colon), Arrays.stream(line.substring(colon + 2).trim()
            .split(" ")).mapToDouble(Double::parseDouble).toArray());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return read;
  }
}
