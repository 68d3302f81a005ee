package dev.kiln.examples;

import java.util.List;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

/**
 * DL4J iterators over given batches, in order, that can be told not to reset (as a stream from a
 * socket or a one-shot file reader would not); they count their resets.
 */
final class ListIterators {

  private ListIterators() {}

  /** A DataSetIterator over {@code batches}. */
  static DataSets dataSets(List<DataSet> batches, boolean resettable) {
    return new DataSets(batches, resettable);
  }

  /** A MultiDataSetIterator over {@code batches}. */
  static MultiDataSets multiDataSets(List<MultiDataSet> batches, boolean resettable) {
    return new MultiDataSets(batches, resettable);
  }

  /** The part the two iterators share. */
  abstract static class Batches<T> {
    private final List<T> batches;
    private final boolean resettable;
    private int next;
    private int resets;

    Batches(List<T> batches, boolean resettable) {
      this.batches = List.copyOf(batches);
      this.resettable = resettable;
    }

    public boolean hasNext() {
      return next < batches.size();
    }

    public T next() {
      return batches.get(next++);
    }

    public T next(int num) {
      throw new UnsupportedOperationException("Kiln takes the iterator's own batches");
    }

    public boolean resetSupported() {
      return resettable;
    }

    public boolean asyncSupported() {
      return false;
    }

    public void reset() {
      if (!resettable) {
        throw new UnsupportedOperationException("this iterator cannot reset");
      }
      next = 0;
      resets++;
    }

    int resets() {
      return resets;
    }
  }

  static final class DataSets extends Batches<DataSet> implements DataSetIterator {
    DataSets(List<DataSet> batches, boolean resettable) {
      super(batches, resettable);
    }

    @Override
    public int inputColumns() {
      return -1;
    }

    @Override
    public int totalOutcomes() {
      return -1;
    }

    @Override
    public int batch() {
      return -1;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
      throw new UnsupportedOperationException();
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
      return null;
    }

    @Override
    public List<String> getLabels() {
      return null;
    }
  }

  static final class MultiDataSets extends Batches<MultiDataSet>
      implements MultiDataSetIterator {
    MultiDataSets(List<MultiDataSet> batches, boolean resettable) {
      super(batches, resettable);
    }

    @Override
    public void setPreProcessor(MultiDataSetPreProcessor preProcessor) {
      throw new UnsupportedOperationException();
    }

    @Override
    public MultiDataSetPreProcessor getPreProcessor() {
      return null;
    }
  }
}
