package dev.kiln.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.examples.MlpModel;
import dev.kiln.runtime.ModelCost;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The table that puts each summary's cost beside the benchmark's own counts. */
class CostCheckTableTest {

  @Test
  void aRowShowsTheSummarysFlopsBesideTheGemmBoundAndItsMemory() {
    MlpModel mlp = MlpModel.create(1);
    ModelCost cost = mlp.cost(64);
    double gemmBound = GemmBound.trainingFlops(mlp.spec(), 64);
    Interleaved.Runs runs = new Interleaved.Runs(new Samples(new double[] {2, 4}), 100);
    Comparison.Timings timings = new Comparison.Timings(runs, runs, null);
    Comparison comparison = new Comparison("MLP", 1, 1, -1, gemmBound, cost, timings, timings);

    String row = CostCheckTable.render(List.of(comparison)).get(2);

    String[] cells = row.split(" \\| ");
    assertEquals(String.format(Locale.ROOT, "%.3f", gemmBound / 1e9), cells[1]);
    assertEquals(String.format(Locale.ROOT, "%.3f", cost.trainingFlops() / 1e9), cells[2]);
    assertEquals(String.format(Locale.ROOT, "%.3f", cost.trainingFlops() / gemmBound), cells[3]);
    assertEquals(String.format(Locale.ROOT, "%.1f", cost.trainingBytes() / 1e6), cells[5]);
  }
}
