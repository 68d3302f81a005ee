package dev.kiln.benchmarks;

/**
 * One network's measurements: Kiln and its DL4J twin, training and inference, timed in one run.
 *
 * @param title the network, as the table names it
 * @param kilnParameters the Kiln model's parameter count
 * @param dl4jParameters the DL4J graph's parameter count
 * @param trainingFlops the floating-point operations of the matrix products of one training step
 * @param training training steps, Kiln first
 * @param inference inference batches, Kiln first
 */
record Comparison(
    String title,
    long kilnParameters,
    long dl4jParameters,
    double trainingFlops,
    Interleaved.Pair training,
    Interleaved.Pair inference) {

  /** Kiln's median time over DL4J's, for training: below 1 is faster. */
  double trainingRatio() {
    return training.first().samples().median() / training.second().samples().median();
  }

  /** Kiln's median time over DL4J's, for inference. */
  double inferenceRatio() {
    return inference.first().samples().median() / inference.second().samples().median();
  }

  /** Measures {@code network} as {@code options} say: warm-up, then interleaved timed runs. */
  static Comparison measure(Networks.Network network, Options options) {
    Networks.Twins twins = network.build().apply(new RandomData(7));
    Workload kiln = twins.kiln();
    Workload dl4j = twins.dl4j();
    for (int i = 0; i < options.warmupFor(network); i++) {
      kiln.trainStep();
      dl4j.trainStep();
      kiln.predict();
      dl4j.predict();
    }
    int steps = options.stepsFor(network);
    Interleaved.Pair training = Interleaved.time(kiln::trainStep, dl4j::trainStep, steps, options.block());
    Interleaved.Pair inference = Interleaved.time(kiln::predict, dl4j::predict, steps, options.block());
    return new Comparison(
        network.title(),
        kiln.parameterCount(),
        dl4j.parameterCount(),
        kiln.trainingFlops(),
        training,
        inference);
  }
}
