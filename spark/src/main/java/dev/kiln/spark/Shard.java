package dev.kiln.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The samples of one partition, packed into one row-major array per model input and target. A
 * partition is cached as one shard, so a step gathers its rows without touching sample objects.
 * Its samples' global indices start where the previous partitions' end ({@link
 * TrainingSet#firsts()}), so a shard recomputed after a lost executor holds the same samples under
 * the same indices, as long as the source RDD gives the same samples again.
 */
final class Shard implements Serializable {

  private final int partition;
  private final int count;
  private final double[][] arrays;

  private Shard(int partition, int count, double[][] arrays) {
    this.partition = partition;
    this.count = count;
    this.arrays = arrays;
  }

  /** Packs partition {@code partition}'s samples, checking each against the layout. */
  static Shard pack(int partition, Iterator<Sample> samples, SampleLayout layout) {
    List<Sample> all = new ArrayList<>();
    samples.forEachRemaining(all::add);
    int count = all.size();
    double[][] arrays = new double[layout.arrayCount()][];
    for (int a = 0; a < arrays.length; a++) {
      arrays[a] = new double[Math.multiplyExact(count, layout.length(a))];
    }
    for (int row = 0; row < count; row++) {
      for (int a = 0; a < arrays.length; a++) {
        System.arraycopy(layout.array(all.get(row), a), 0, arrays[a], row * layout.length(a),
            layout.length(a));
      }
    }
    return new Shard(partition, count, arrays);
  }

  int partition() {
    return partition;
  }

  int count() {
    return count;
  }

  /**
   * The batch of the given rows, in that order: the model's inputs then its targets, as arrays
   * of the layout's shapes and data types.
   */
  INDArray[] batch(int[] rows, SampleLayout layout) {
    INDArray[] batch = new INDArray[arrays.length];
    for (int a = 0; a < arrays.length; a++) {
      int length = layout.length(a);
      double[] values = new double[rows.length * length];
      for (int r = 0; r < rows.length; r++) {
        System.arraycopy(arrays[a], rows[r] * length, values, r * length, length);
      }
      INDArray array = Nd4j.create(values, layout.batchShape(a, rows.length), 'c');
      batch[a] = array.dataType() == layout.dataType(a) ? array : array.castTo(layout.dataType(a));
    }
    return batch;
  }
}
