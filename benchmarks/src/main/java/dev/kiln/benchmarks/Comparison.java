package dev.kiln.benchmarks;

import dev.kiln.runtime.ModelCost;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One network's measurements: Kiln, its DL4J twin and, where Python has torch, its PyTorch twin,
 * training and inference, timed in one run.
 *
 * @param title the network, as the table names it
 * @param kilnParameters the Kiln model's parameter count
 * @param dl4jParameters the DL4J graph's parameter count
 * @param torchParameters the PyTorch twin's parameter count, or -1 if it was not run
 * @param trainingFlops the floating-point operations of the matrix products of one training step
 * @param cost what the Kiln model's summary says a training step and a prediction cost
 * @param training training steps
 * @param inference inference batches
 */
record Comparison(
    String title,
    long kilnParameters,
    long dl4jParameters,
    long torchParameters,
    double trainingFlops,
    ModelCost cost,
    Timings training,
    Timings inference) {

  /** One kind of run in each framework; {@code torch} is null when PyTorch was not run. */
  record Timings(Interleaved.Runs kiln, Interleaved.Runs dl4j, Interleaved.Runs torch) {

    /** Kiln's median time over DL4J's: below 1 is faster. */
    double ratioToDl4j() {
      return kiln.samples().median() / dl4j.samples().median();
    }

    /** Kiln's median time over PyTorch's, or NaN if PyTorch was not run. */
    double ratioToTorch() {
      return torch == null ? Double.NaN : kiln.samples().median() / torch.samples().median();
    }

    static Timings of(List<Interleaved.Runs> runs) {
      return new Timings(runs.get(0), runs.get(1), runs.size() > 2 ? runs.get(2) : null);
    }
  }

  /**
   * How long each framework keeps warming up after its warm-up runs, training and inference
   * each, for the JIT compiler: not for the 784-step models, whose one warm-up run takes seconds.
   * The warm-up goes through training and inference twice. HotSpot drops a queued compile whose
   * method has stopped running, and one compiler thread of each tier on 2 cores had not compiled
   * all of a step in one second: after one round, Kiln's first timed block of encoder training
   * steps ran while C1 compiled {@code Adam.update} and C2 {@code BiasRowsLanes.sum}, 5 steps of
   * 44-77 ms against 27-31 later, a quarter of the 20 runs. The second round lets those compiles
   * finish, and lets each phase recompile what the other phase's runs changed, as a fit loop with
   * validation would.
   */
  static final long WARMUP_NANOS = 1_000_000_000L;

  /** {@link #WARMUP_NANOS}, or none for the 784-step models. */
  static long warmupNanos(Networks.Network network) {
    return network.longSequence() ? 0 : WARMUP_NANOS;
  }

  /** Measures {@code network} as {@code options} say: warm-up, then interleaved timed runs. */
  static Comparison measure(Networks.Network network, Options options, Optional<PyTorchProcess> torch) {
    Networks.Twins twins = network.build().apply(new RandomData(7));
    Workload kiln = twins.kiln();
    Workload dl4j = twins.dl4j();
    long torchParameters = torch.map(t -> t.build(network.key(), Networks.BATCH, 7)).orElse(-1L);
    List<Interleaved.Contender> training = new ArrayList<>(List.of(
        Interleaved.local(kiln::trainStep), Interleaved.local(dl4j::trainStep)));
    List<Interleaved.Contender> inference = new ArrayList<>(List.of(
        Interleaved.local(kiln::predict), Interleaved.local(dl4j::predict)));
    torch.ifPresent(t -> {
      training.add(t.training());
      inference.add(t.inference());
    });
    int warmup = options.warmupFor(network);
    double slowestStep = Interleaved.warmUp(training, warmup, warmupNanos(network));
    double slowestBatch = Interleaved.warmUp(inference, warmup, warmupNanos(network));
    if (warmupNanos(network) > 0) {
      slowestStep = Interleaved.warmUp(training, 0, warmupNanos(network));
      slowestBatch = Interleaved.warmUp(inference, 0, warmupNanos(network));
    }
    int steps = options.stepsFor(network);
    return new Comparison(
        network.title(),
        kiln.parameterCount(),
        dl4j.parameterCount(),
        torchParameters,
        kiln.trainingFlops(),
        kiln.cost(),
        Timings.of(Interleaved.time(training, Interleaved.runs(steps, slowestStep),
            options.block())),
        Timings.of(Interleaved.time(inference, Interleaved.runs(steps, slowestBatch),
            options.block())));
  }
}
