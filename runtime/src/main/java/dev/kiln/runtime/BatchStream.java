package dev.kiln.runtime;

import java.util.Iterator;
import java.util.function.BooleanSupplier;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

/**
 * The batches of a DL4J iterator, one pass at a time, each checked against the model as it
 * arrives: data larger than memory streams through {@code fit}, {@code evaluate} and {@code
 * predict} batch by batch. The iterator decides the batch size and the order.
 *
 * <p>A pass starts where DL4J's {@code fit} starts one: the first pass uses the iterator as
 * given, resetting it only if it is already exhausted; every later pass resets it, which needs
 * {@code resetSupported()}.
 *
 * @param <T> what the iterator gives: {@link DataSet} or {@link MultiDataSet}
 */
final class BatchStream<T> implements TrainingBatches {

  /** Turns one item of the iterator into model data; {@code what} names it in messages. */
  @FunctionalInterface
  private interface Converter<T> {
    ModelData convert(T item, String what);
  }

  private final KilnModel model;
  private final String name;
  private final Iterator<T> iterator;
  private final BooleanSupplier resetSupported;
  private final Runnable reset;
  private final Converter<T> converter;
  private final boolean needTargets;
  private int passes;
  private long batches;
  private long lastPassBatches = -1;
  private T current;

  private BatchStream(
      KilnModel model,
      String name,
      Iterator<T> iterator,
      BooleanSupplier resetSupported,
      Runnable reset,
      Converter<T> converter,
      boolean needTargets) {
    if (iterator == null) {
      throw new IllegalArgumentException("the " + name + " is null");
    }
    this.model = model;
    this.name = name;
    this.iterator = iterator;
    this.resetSupported = resetSupported;
    this.reset = reset;
    this.converter = converter;
    this.needTargets = needTargets;
  }

  /** The batches of {@code iterator}, each a DataSet for a model of one input (and output). */
  static BatchStream<DataSet> of(KilnModel model, DataSetIterator iterator, boolean needTargets) {
    return new BatchStream<>(model, "DataSetIterator", iterator,
        () -> iterator.resetSupported(), () -> iterator.reset(),
        (item, what) -> Dl4jData.of(model, item, needTargets, what), needTargets);
  }

  /** The batches of {@code iterator}, features and labels in the model's declaration order. */
  static BatchStream<MultiDataSet> of(
      KilnModel model, MultiDataSetIterator iterator, boolean needTargets) {
    return new BatchStream<>(model, "MultiDataSetIterator", iterator,
        () -> iterator.resetSupported(), () -> iterator.reset(),
        (item, what) -> Dl4jData.of(model, item, needTargets, what), needTargets);
  }

  /**
   * Fails before any work if {@code passes} passes need a reset the iterator cannot do; {@code
   * purpose} says who needs them ({@code "fit for 3 epochs"}).
   */
  void requirePasses(int passes, String purpose) {
    if (passes > 1 && !resetSupported.getAsBoolean()) {
      throw new IllegalArgumentException(
          purpose + " needs " + passes + " passes over the " + name + ", but its resetSupported()"
              + " is false; use one epoch, or an iterator that can start over");
    }
  }

  /** The batches of the last complete pass; -1 before one has ended. */
  @Override
  public long steps() {
    return lastPassBatches;
  }

  @Override
  public void startEpoch() {
    if (passes > 0 || !iterator.hasNext()) {
      if (!resetSupported.getAsBoolean()) {
        throw new IllegalArgumentException(
            "the " + name + " is exhausted and its resetSupported() is false; pass a fresh one");
      }
      reset.run();
    }
    passes++;
    batches = 0;
  }

  /** The next batch, checked; null at the end of the pass. */
  @Override
  public CheckedData next() {
    if (!iterator.hasNext()) {
      if (batches == 0) {
        throw new IllegalArgumentException("the " + name + " gave no batches");
      }
      lastPassBatches = batches;
      current = null;
      return null;
    }
    batches++;
    String what = "batch " + batches + " of the " + name;
    current = iterator.next();
    try {
      return CheckedData.of(model, converter.convert(current, what), needTargets);
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(what)) {
        throw e;
      }
      throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
    }
  }

  /** The iterator's item behind the batch {@link #next} returned last, as the iterator gave it. */
  T current() {
    return current;
  }
}
