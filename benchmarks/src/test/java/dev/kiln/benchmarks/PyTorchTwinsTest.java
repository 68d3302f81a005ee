package dev.kiln.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.LayerSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The PyTorch column: "not run" without torch (CI has no Python), and where Debian's Python has
 * torch, twins of every network with Kiln's parameters, each training and predicting.
 */
class PyTorchTwinsTest {

  @Test
  void aMissingPythonIsReportedWithItsPath() {
    PyTorchProcess.Unavailable e = assertThrows(PyTorchProcess.Unavailable.class,
        () -> PyTorchProcess.start(Path.of("/no/such/python3")));

    assertTrue(e.getMessage().contains("/no/such/python3"), e.getMessage());
  }

  @Test
  void withoutPyTorchItsColumnsSayNotRun() {
    Interleaved.Runs runs = new Interleaved.Runs(new Samples(new double[] {2, 4}), 100);
    Comparison.Timings timings = new Comparison.Timings(runs, runs, null);
    Comparison comparison = new Comparison("net", 10, 10, -1, 1e6, null, timings, timings);

    String row = ComparisonTable.render(List.of(comparison), 100).get(2);

    assertEquals(4, row.split("not run", -1).length - 1, row);
    assertTrue(row.contains("**1.00**"), row);
  }

  @Test
  void contendersTakeTurnsInBlocksAndEachRunIsKept() {
    StringBuilder order = new StringBuilder();
    Interleaved.Contender a = (millis, from, runs) -> record(order, 'a', millis, from, runs);
    Interleaved.Contender b = (millis, from, runs) -> record(order, 'b', millis, from, runs);
    Interleaved.Contender c = (millis, from, runs) -> record(order, 'c', millis, from, runs);

    List<Interleaved.Runs> result = Interleaved.time(List.of(a, b, c), 5, 2);

    assertEquals("aabbccbbccaacab", order.toString());
    assertEquals(5, result.get(2).samples().count());
    assertEquals(Interleaved.NOT_COUNTED, result.get(1).bytesPerRun());
  }

  /** Debian's Python with torch, where installed: every twin builds, trains and predicts. */
  @Test
  void everyTwinHasKilnsParametersAndRuns() throws Exception {
    PyTorchProcess torch;
    try {
      torch = PyTorchProcess.start(Options.DEFAULT_PYTHON);
    } catch (PyTorchProcess.Unavailable e) {
      assumeTrue(false, "no PyTorch here: " + e.getMessage());
      return;
    }
    try (torch) {
      for (Networks.Network network : Networks.all()) {
        Workload kiln = network.build().apply(new RandomData(1)).kiln();
        long parameters = torch.build(network.key(), 4, 1);

        assertEquals(kiln.parameterCount() + secondLstmBias(network), parameters, network.title());
        if (!network.longSequence()) {
          torch.training().runBlock(new double[1], 0, 1);
          torch.inference().runBlock(new double[1], 0, 1);
        }
      }
    }
  }

  private static long record(StringBuilder order, char name, double[] millis, int from, int runs) {
    for (int i = from; i < from + runs; i++) {
      order.append(name);
      millis[i] = i;
    }
    return Interleaved.NOT_COUNTED;
  }

  /** PyTorch's LSTM adds a second bias vector to the recurrent product; Keras' has one. */
  private static long secondLstmBias(Networks.Network network) {
    KilnModel model = switch (network.key()) {
      case "rnnrows" -> dev.kiln.examples.RnnRowsModel.create(1);
      case "rnn" -> dev.kiln.examples.RnnModel.create(1);
      case "sharedfeatures" -> dev.kiln.examples.SharedFeatureExtractionModel.create(1);
      case "multipleoutputs" -> dev.kiln.examples.MultipleOutputsModel.create(1);
      case "headlines" -> dev.kiln.examples.HeadlinesModel.create(1);
      default -> null;
    };
    if (model == null) {
      return 0;
    }
    Set<String> lstms = model.spec().layers().stream()
        .filter(layer -> layer.type().equals("LSTM"))
        .map(LayerSpec::name)
        .collect(Collectors.toSet());
    return model.spec().parameters().stream()
        .filter(p -> lstms.contains(p.layer()) && p.name().equals("bias"))
        .mapToLong(p -> p.length())
        .sum();
  }
}
