package dev.kiln.benchmarks;

/**
 * One network in one framework with one fixed batch: what the benchmark times. Both sides of a
 * comparison are built on the same arrays, so they read the same data.
 */
public interface Workload {

  /** The number of trainable parameter values, to show that both sides built the same network. */
  long parameterCount();

  /** One optimizer step on the batch: forward, loss, backward, update. */
  void trainStep();

  /** Outputs for the batch in inference mode, returned in new arrays as a user gets them. */
  void predict();

  /** A workload from its parts. */
  static Workload of(long parameterCount, Runnable trainStep, Runnable predict) {
    return new Workload() {
      @Override
      public long parameterCount() {
        return parameterCount;
      }

      @Override
      public void trainStep() {
        trainStep.run();
      }

      @Override
      public void predict() {
        predict.run();
      }
    };
  }
}
