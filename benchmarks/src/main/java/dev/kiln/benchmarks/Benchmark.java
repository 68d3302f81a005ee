package dev.kiln.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * Times each seed network as a Kiln model and as its DL4J ComputationGraph twin in one JVM, and
 * prints markdown: the machine, one table of training and inference times with their ratios and
 * heap per step, and, if asked, where each framework's training step spends its time.
 */
public final class Benchmark {

  private Benchmark() {}

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    if (!options.settings().isEmpty()) {
      boolean passed = ThreadSettings.runEach(options.settings(), options.withoutSettings(args));
      System.exit(passed ? 0 : 1);
    }
    run(options);
  }

  private static void run(Options options) {
    long start = System.nanoTime();
    System.out.println("### Machine");
    System.out.println();
    Machine.describe().forEach(System.out::println);
    System.out.println();
    System.out.println("Batch " + Networks.BATCH + ", float32, Adam (Headlines: RMSprop), "
        + options.steps() + " timed runs per framework (784-step models: " + options.longSteps()
        + "), after " + options.warmup() + " warm-up runs (784-step models: 1).");
    System.out.println();
    double peakGflops = GemmRates.peak(20);
    List<Comparison> comparisons = new ArrayList<>();
    for (Networks.Network network : Networks.all()) {
      if (options.networks().contains(network.key())) {
        long networkStart = System.nanoTime();
        comparisons.add(Comparison.measure(network, options));
        System.err.printf(java.util.Locale.ROOT, "timed %s in %.0f s%n",
            network.key(), (System.nanoTime() - networkStart) / 1e9);
      }
    }
    System.out.println("### Training step and inference batch, Kiln vs DL4J");
    System.out.println();
    ComparisonTable.render(comparisons, peakGflops).forEach(System.out::println);
    System.out.println();
    for (Networks.Network network : Networks.all()) {
      if (options.profile().contains(network.key())) {
        printProfile(network, options);
      }
    }
    if (options.encoderRuns() > 0) {
      System.err.println("timing a transformer encoder block ...");
      System.out.println("### One transformer encoder block, Kiln vs PyTorch");
      System.out.println();
      EncoderBenchmark.measure(options.encoderRuns(), options.warmup()).forEach(System.out::println);
      System.out.println();
    }
    if (options.gemmRuns() > 0) {
      System.err.println("timing matrix products ...");
      System.out.println("### Matrix products with a transposed operand, GFLOPS (median ms)");
      System.out.println();
      GemmRates.measure(options.gemmRuns()).forEach(System.out::println);
      System.out.println();
    }
    if (options.heapSteps() > 0) {
      System.err.println("replaying the MLP step kernel by kernel ...");
      System.out.println("### The Kiln MLP training step, kernel by kernel: time and Java heap");
      System.out.println();
      MlpStepByKernel.measure(options.heapSteps()).forEach(System.out::println);
      System.out.println();
    }
    System.out.printf(java.util.Locale.ROOT,
        "Load average at end: %s. Whole run: %.0f s.%n", Machine.loadAverage(), (System.nanoTime() - start) / 1e9);
  }

  private static void printProfile(Networks.Network network, Options options) {
    System.err.println("profiling " + network.key() + " ...");
    Networks.Twins twins = network.build().apply(new RandomData(7));
    for (int i = 0; i < options.warmupFor(network); i++) {
      twins.kiln().trainStep();
      twins.dl4j().trainStep();
    }
    int steps = network.longSequence() ? Math.min(options.profileSteps(), 2) : options.profileSteps();
    OpProfile.Breakdown kiln = OpProfile.profile(twins.kiln()::trainStep, steps, OpProfile::kilnCaller);
    OpProfile.Breakdown dl4j = OpProfile.profile(twins.dl4j()::trainStep, steps, OpProfile::dl4jCaller);
    System.out.println("### Where a training step goes: " + network.title());
    System.out.println();
    System.out.println("Native op times from ND4J's profiling hook, mean over " + steps
        + " steps; profiling itself adds some time per op.");
    System.out.println();
    OpProfile.render("Kiln", kiln, 12).forEach(System.out::println);
    System.out.println();
    OpProfile.render("DL4J", dl4j, 12).forEach(System.out::println);
    System.out.println();
  }
}
