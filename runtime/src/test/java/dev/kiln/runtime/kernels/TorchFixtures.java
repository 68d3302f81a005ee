package dev.kiln.runtime.kernels;

import dev.kiln.runtime.testing.PlainArrays;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The float64 reference values {@code runtime/src/test/python/conv_fixtures.py} computes with
 * PyTorch, read from {@code torch-conv-fixtures.txt}: per case its sizes, inputs, weights, output
 * {@code out}, the weights {@code r} of the loss {@code sum(out * r)}, and that loss's gradients
 * ({@code dx}, {@code dkernel}, ...), all in Keras' channels-last layouts.
 */
final class TorchFixtures {

  private static final Map<String, double[]> ROWS = load();

  private TorchFixtures() {}

  private static Map<String, double[]> load() {
    return read("torch-conv-fixtures.txt");
  }

  /**
   * The rows of a fixture file beside this class, by name: lines {@code name: v1 v2 ...}, with
   * blank lines and {@code #} comments skipped.
   */
  static Map<String, double[]> read(String resource) {
    Map<String, double[]> rows = new HashMap<>();
    try (InputStream in = TorchFixtures.class.getResourceAsStream(resource);
        BufferedReader reader =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (line.startsWith("#") || line.isBlank()) {
          continue;
        }
        int colon = line.indexOf(':');
        rows.put(line.substring(0, colon), Arrays.stream(line.substring(colon + 1).trim()
            .split(" ")).mapToDouble(Double::parseDouble).toArray());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows;
  }

  /** The row {@code name}; fails clearly when the fixture file lacks it. */
  static double[] row(String name) {
    double[] values = ROWS.get(name);
    if (values == null) {
      throw new IllegalArgumentException("no row " + name + " in torch-conv-fixtures.txt;"
          + " run runtime/src/test/python/conv_fixtures.py");
    }
    return values;
  }

  /** The case's sizes, as ints. */
  static int[] sizes(String name) {
    return Arrays.stream(row(name + ".sizes")).mapToInt(value -> (int) value).toArray();
  }

  /** The row {@code name} as a float64 array of {@code shape}. */
  static INDArray array(String name, long... shape) {
    return PlainArrays.doubles(row(name), shape);
  }
}
