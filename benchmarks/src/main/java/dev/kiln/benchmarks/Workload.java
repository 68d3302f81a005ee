package dev.kiln.benchmarks;

import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.ModelCost;

/**
 * One network in one framework with one fixed batch: what the benchmark times. Both sides of a
 * comparison are built on the same arrays, so they read the same data.
 */
public interface Workload {

  /** The number of trainable parameter values, to show that both sides built the same network. */
  long parameterCount();

  /** The floating-point operations of one training step's matrix products; NaN if unknown. */
  default double trainingFlops() {
    return Double.NaN;
  }

  /** What a Kiln model's summary says a training step and a prediction cost; null for the others. */
  default ModelCost cost() {
    return null;
  }

  /** The Kiln model behind this workload, if it is one. */
  default java.util.Optional<KilnModel> kilnModel() {
    return java.util.Optional.empty();
  }

  /** One optimizer step on the batch: forward, loss, backward, update. */
  void trainStep();

  /** Outputs for the batch in inference mode, returned in new arrays as a user gets them. */
  void predict();

  /** A Kiln model's workload: its parameter count and product work come from its spec. */
  static Workload of(KilnModel model, int batch, Runnable trainStep, Runnable predict) {
    Workload parts = of(model.parameterCount(), trainStep, predict);
    double flops = GemmBound.trainingFlops(model.spec(), batch);
    ModelCost cost = model.cost(batch);
    return new Workload() {
      @Override
      public long parameterCount() {
        return parts.parameterCount();
      }

      @Override
      public double trainingFlops() {
        return flops;
      }

      @Override
      public ModelCost cost() {
        return cost;
      }

      @Override
      public java.util.Optional<KilnModel> kilnModel() {
        return java.util.Optional.of(model);
      }

      @Override
      public void trainStep() {
        parts.trainStep();
      }

      @Override
      public void predict() {
        parts.predict();
      }
    };
  }

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
