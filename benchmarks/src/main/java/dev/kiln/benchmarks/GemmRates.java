package dev.kiln.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How fast ND4J multiplies matrices when one operand is transposed, three ways: {@code Nd4j.gemm}
 * with a transpose flag into a preallocated output (what Kiln's Dense kernel does), {@code mmuli}
 * of a transposed view into a preallocated output, and {@code mmul} of a transposed view, which
 * allocates its result. The shapes are the MLP's first layer, forward and backward, and a large
 * square product for the machine's peak.
 */
final class GemmRates {

  /** {@code (m, k) . (k, n)}, named. */
  private record Product(String name, int m, int n, int k) {}

  private static final List<Product> PRODUCTS = List.of(
      new Product("MLP hidden1 forward, x . W", 64, 512, 784),
      new Product("MLP hidden1 kernel gradient, x^T . dOut", 784, 512, 64),
      new Product("MLP hidden1 input gradient, dOut . W^T", 64, 784, 512),
      new Product("square 1024", 1024, 1024, 1024));

  private GemmRates() {}

  /** Markdown: GFLOPS (median of {@code runs}) for each product and each way of calling. */
  static List<String> measure(int runs) {
    List<String> lines = new ArrayList<>();
    lines.add("| product (m x k) . (k x n) | gemm, transpose flag | mmuli of transposed view | mmul of transposed view |");
    lines.add("|---|---:|---:|---:|");
    RandomData data = new RandomData(3);
    for (Product p : PRODUCTS) {
      // A is stored transposed, (k, m), as a layer's input is when its kernel gradient is taken.
      INDArray aStored = data.uniform(p.k(), p.m());
      INDArray b = data.uniform(p.k(), p.n());
      INDArray c = Nd4j.create(DataType.FLOAT, p.m(), p.n());
      double flops = 2.0 * p.m() * p.n() * p.k();
      lines.add(String.format(Locale.ROOT, "| %s (%d x %d) . (%d x %d) | %s | %s | %s |",
          p.name(), p.m(), p.k(), p.k(), p.n(),
          gflops(flops, runs, () -> Nd4j.gemm(aStored, b, c, true, false, 1.0, 0.0)),
          gflops(flops, runs, () -> aStored.transpose().mmuli(b, c)),
          gflops(flops, runs, () -> aStored.transpose().mmul(b))));
    }
    return lines;
  }

  /**
   * The machine's GEMM rate in GFLOPS: the median of {@code runs} square float products of 1024,
   * into a preallocated output.
   */
  static double peak(int runs) {
    RandomData data = new RandomData(5);
    INDArray a = data.uniform(1024, 1024);
    INDArray b = data.uniform(1024, 1024);
    INDArray c = Nd4j.create(DataType.FLOAT, 1024, 1024);
    Samples samples = time(runs, () -> Nd4j.gemm(a, b, c, false, false, 1.0, 0.0));
    return 2.0 * 1024 * 1024 * 1024 / samples.median() / 1e6;
  }

  private static String gflops(double flops, int runs, Runnable product) {
    Samples samples = time(runs, product);
    return String.format(Locale.ROOT, "%.1f (%s ms)", flops / samples.median() / 1e6,
        ComparisonTable.millis(samples.median()));
  }

  /** Milliseconds of {@code runs} runs of {@code product}, after three untimed ones. */
  private static Samples time(int runs, Runnable product) {
    for (int i = 0; i < 3; i++) {
      product.run();
    }
    double[] millis = new double[runs];
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      product.run();
      millis[i] = (System.nanoTime() - start) / 1e6;
    }
    return new Samples(millis);
  }
}
