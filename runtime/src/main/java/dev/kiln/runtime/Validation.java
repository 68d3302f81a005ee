package dev.kiln.runtime;

import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

/** What {@code fit} scores the model on after every epoch: samples in memory or an iterator. */
interface Validation {

  /** The loss and metrics, named {@code val_loss}, {@code val_accuracy}, ... */
  Scores score(KilnModel model);

  /** Validation data as given to {@link FitOptions}, resolved once the model is known. */
  @FunctionalInterface
  interface Source {
    /**
     * The validation for a fit of {@code epochs} epochs; {@code batchSize} applies to data in
     * memory.
     */
    Validation open(KilnModel model, int batchSize, int epochs);

    static Source of(ModelData data) {
      requireData(data);
      return (model, batchSize, epochs) -> heldOut(CheckedData.of(model, data, true), batchSize);
    }

    static Source of(DataSet data) {
      requireData(data);
      return (model, batchSize, epochs) ->
          heldOut(CheckedData.of(model, Dl4jData.of(model, data, true, "the validation DataSet"),
              true), batchSize);
    }

    static Source of(MultiDataSet data) {
      requireData(data);
      return (model, batchSize, epochs) ->
          heldOut(CheckedData.of(model,
              Dl4jData.of(model, data, true, "the validation MultiDataSet"), true), batchSize);
    }

    static Source of(DataSetIterator iterator) {
      requireData(iterator);
      return (model, batchSize, epochs) -> streamed(BatchStream.of(model, iterator, true), epochs);
    }

    static Source of(MultiDataSetIterator iterator) {
      requireData(iterator);
      return (model, batchSize, epochs) -> streamed(BatchStream.of(model, iterator, true), epochs);
    }

    private static void requireData(Object data) {
      if (data == null) {
        throw new IllegalArgumentException("validation data is null");
      }
    }
  }

  /** Samples in memory, scored in batches of {@code batchSize}. */
  static Validation heldOut(CheckedData data, int batchSize) {
    return model -> Batches.evaluate(model, data, batchSize, "val_");
  }

  /** An iterator's batches, one pass per epoch. */
  static Validation streamed(BatchStream<?> batches, int epochs) {
    batches.requirePasses(epochs, "validating after each of " + epochs + " epochs");
    return model -> Batches.evaluate(model, batches, "val_");
  }
}
