package dev.kiln.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Times each seed network as a Kiln model, as its DL4J ComputationGraph twin in the same JVM and,
 * where Python has torch, as its PyTorch twin in a Python process, taking turns; prints markdown:
 * the machine, one table of training and inference times with their ratios and heap per step, and,
 * if asked, where Kiln's and DL4J's training steps spend their time.
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
    Optional<PyTorchProcess> torch = startPyTorch(options);
    System.out.println();
    System.out.println("Batch " + Networks.BATCH + ", float32, Adam (Headlines: RMSprop), "
        + options.steps() + " timed runs per framework (784-step models: " + options.longSteps()
        + "), or more where the slowest framework's run is short: as many as fill "
        + (long) (Interleaved.TIMED_NANOS / 1e9) + " s of its runs, at most "
        + Interleaved.MOST_RUNS + "; after " + options.warmup()
        + " warm-up runs (784-step models: 1) and "
        + Comparison.WARMUP_NANOS / 1_000_000_000L + " s more of them (784-step models: none),"
        + " each framework, training and inference apart, then once more "
        + Comparison.WARMUP_NANOS / 1_000_000_000L + " s of each (784-step models: none);"
        + " between blocks, the JIT compilers finish what the last block gave them.");
    System.out.println();
    double peakGflops = GemmRates.peak(20);
    List<Comparison> comparisons = new ArrayList<>();
    for (Networks.Network network : Networks.all()) {
      if (options.networks().contains(network.key())) {
        long networkStart = System.nanoTime();
        comparisons.add(Comparison.measure(network, options, torch));
        System.err.printf(java.util.Locale.ROOT, "timed %s in %.0f s%n",
            network.key(), (System.nanoTime() - networkStart) / 1e9);
      }
    }
    torch.ifPresent(PyTorchProcess::close);
    System.out.println("### Training step and inference batch, Kiln vs DL4J and PyTorch");
    System.out.println();
    ComparisonTable.render(comparisons, peakGflops).forEach(System.out::println);
    System.out.println();
    System.out.println("### What the summaries say a step costs");
    System.out.println();
    CostCheckTable.render(comparisons).forEach(System.out::println);
    System.out.println();
    printMemory(options);
    for (Networks.Network network : Networks.all()) {
      if (options.profile().contains(network.key())) {
        printProfile(network, options);
      }
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
      System.err.println("replaying the encoder block's step kernel by kernel ...");
      System.out.println("### The Kiln encoder block's training step, kernel by kernel: time and Java heap");
      System.out.println();
      EncoderStepByKernel.measure(Math.min(options.heapSteps(), 10)).forEach(System.out::println);
      System.out.println();
    }
    System.out.printf(java.util.Locale.ROOT,
        "Load average at end: %s. Whole run: %.0f s.%n", Machine.loadAverage(), (System.nanoTime() - start) / 1e9);
  }

  /** Peak native memory of each chosen network and of the U-Net at batch 1, each in a fresh JVM. */
  private static void printMemory(Options options) {
    List<String> keys = new ArrayList<>();
    List<String> titles = new ArrayList<>();
    for (Networks.Network network : Networks.all()) {
      if (options.networks().contains(network.key())) {
        keys.add(network.key());
        titles.add(network.title());
      }
    }
    keys.add(MemoryProbe.UNET);
    titles.add("U-Net 256x256 (UNet)");
    System.out.println("### Peak native memory, Kiln");
    System.out.println();
    try {
      MemoryTable.render(MemoryTable.measure(keys), titles).forEach(System.out::println);
    } catch (java.io.IOException e) {
      System.out.println("Not measured: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    System.out.println();
  }

  /** The PyTorch twins' process, or empty with the reason printed as the machine's last line. */
  private static Optional<PyTorchProcess> startPyTorch(Options options) {
    if (options.python().isEmpty()) {
      System.out.println("- PyTorch: " + ComparisonTable.NOT_RUN + " (--python none)");
      return Optional.empty();
    }
    try {
      PyTorchProcess torch = PyTorchProcess.start(options.python().get());
      System.out.println("- " + torch.description());
      return Optional.of(torch);
    } catch (PyTorchProcess.Unavailable e) {
      System.out.println("- PyTorch: " + ComparisonTable.NOT_RUN + " (" + options.python().get() + ": "
          + e.getMessage() + ")");
      return Optional.empty();
    }
  }

  private static void printProfile(Networks.Network network, Options options) {
    System.err.println("profiling " + network.key() + " ...");
    Networks.Twins twins = network.build().apply(new RandomData(7));
    Interleaved.warmUp(
        List.of(Interleaved.local(twins.kiln()::trainStep), Interleaved.local(twins.dl4j()::trainStep)),
        options.warmupFor(network), Comparison.warmupNanos(network));
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
