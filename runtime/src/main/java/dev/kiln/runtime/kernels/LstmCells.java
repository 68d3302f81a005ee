package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;

/**
 * The element-wise part of one LSTM step, forward and backward, as one Java pass over the
 * {@code (n, units)} cells of the step (see {@link Elements}) rather than a dozen native op calls.
 * Even the activations: on a busy two-core machine one native sigmoid over a step's gates took
 * 100 to 700 microseconds, the whole forward pass in Java a steady 200.
 * It reads and writes the time-major work arrays of a run:
 *
 * <ul>
 *   <li>{@code gates (steps, n, 4 * units)}: a step's block holds on entry to {@link #forward}
 *       its pre-activations, on exit the gates i, f, g, o; after {@link #backward}, the
 *       gradients with respect to the pre-activations;
 *   <li>{@code cells} and {@code states (steps + 1, n, units)}: c and h before and after each
 *       step, laid out as in {@link Sequences};
 *   <li>{@code cellTanh (steps, n, units)}: tanh(c) after each step, for the backward pass.
 * </ul>
 */
final class LstmCells {

  private final Elements gates;
  private final Elements cells;
  private final Elements cellTanh;
  private final Elements states;
  private final int n;
  private final int units;

  LstmCells(
      Elements gates, Elements cells, Elements cellTanh, Elements states, long n, long units) {
    this.gates = gates;
    this.cells = cells;
    this.cellTanh = cellTanh;
    this.states = states;
    this.n = Math.toIntExact(n);
    this.units = Math.toIntExact(units);
  }

  /**
   * Step {@code t}, whose gates hold their pre-activations: i, f, g, o from them, in their place,
   * then c = f c + i g and h = o tanh(c).
   *
   * @param before the row of {@code cells} and {@code states} before the step
   * @param after the row after it
   */
  void forward(long t, long before, long after) {
    int block = n * units;
    int gatesAt = Math.toIntExact(t * 4 * block);
    int beforeAt = Math.toIntExact(before * block);
    int afterAt = Math.toIntExact(after * block);
    int tanhAt = Math.toIntExact(t * block);
    for (int row = 0; row < n; row++) {
      for (int unit = 0; unit < units; unit++) {
        int gate = gatesAt + row * 4 * units + unit;
        int cell = row * units + unit;
        double i = sigmoid(gates.get(gate));
        double f = sigmoid(gates.get(gate + units));
        double g = tanh(gates.get(gate + 2 * units));
        double o = sigmoid(gates.get(gate + 3 * units));
        double c = f * cells.get(beforeAt + cell) + i * g;
        double tanhC = tanh(c);
        gates.set(gate, i);
        gates.set(gate + units, f);
        gates.set(gate + 2 * units, g);
        gates.set(gate + 3 * units, o);
        cells.set(afterAt + cell, c);
        cellTanh.set(tanhAt + cell, tanhC);
        states.set(afterAt + cell, o * tanhC);
      }
    }
  }

  /**
   * Step {@code t} undone: turns its gates into the gradients with respect to their
   * pre-activations, and {@code dCell} from the gradient with respect to the cell after the step
   * (without what flows in through h) into the one before it.
   *
   * @param dState {@code (n, units)}: the gradient with respect to h after the step, from the
   *     later steps
   * @param dOut the gradient of the layer's output sequence, time-major {@code (steps, n, units)},
   *     whose step {@code t} adds to {@code dState}; or null when the output is the last h only
   * @param before the row of {@code cells} before the step
   */
  void backward(long t, long before, Elements dState, Elements dOut, Elements dCell) {
    int block = n * units;
    int gatesAt = Math.toIntExact(t * 4 * block);
    int beforeAt = Math.toIntExact(before * block);
    int stepAt = Math.toIntExact(t * block);
    for (int row = 0; row < n; row++) {
      for (int unit = 0; unit < units; unit++) {
        int gate = gatesAt + row * 4 * units + unit;
        int cell = row * units + unit;
        double i = gates.get(gate);
        double f = gates.get(gate + units);
        double g = gates.get(gate + 2 * units);
        double o = gates.get(gate + 3 * units);
        double tanhC = cellTanh.get(stepAt + cell);
        double dh = dState.get(cell) + (dOut == null ? 0 : dOut.get(stepAt + cell));
        double dc = dCell.get(cell) + dh * o * (1 - tanhC * tanhC);
        gates.set(gate, dc * g * i * (1 - i));
        gates.set(gate + units, dc * cells.get(beforeAt + cell) * f * (1 - f));
        gates.set(gate + 2 * units, dc * i * (1 - g * g));
        gates.set(gate + 3 * units, dh * tanhC * o * (1 - o));
        dCell.set(cell, dc * f);
      }
    }
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /**
   * tanh through one exp, which the JIT turns into an intrinsic: Math.tanh is eight times slower.
   * Its error near 0 is absolute, about 1e-16, not relative.
   */
  private static double tanh(double x) {
    return 2 / (1 + Math.exp(-2 * x)) - 1;
  }
}
