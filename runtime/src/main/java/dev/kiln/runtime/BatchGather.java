package dev.kiln.runtime;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Copies the rows of a shuffled batch into buffers allocated once per batch size, so that the
 * training loop allocates nothing per step.
 */
final class BatchGather {

  private final INDArray[] inputRows;
  private final INDArray[] targetRows;
  private final CheckedData data;
  private final Elements weights;
  private Slot full;
  private Slot last;

  BatchGather(CheckedData data) {
    this.data = data;
    this.inputRows = asRows(data.inputs);
    this.targetRows = asRows(data.targets);
    // a view of some rows (a validation split) may be laid out otherwise: read a copy
    this.weights = data.weights == null ? null
        : Elements.of(Elements.accepts(data.weights) ? data.weights : data.weights.dup('c'));
  }

  /** The samples {@code order[from .. to)}, in buffers the next call of this size reuses. */
  Slot gather(int[] order, int from, int to) {
    int size = to - from;
    Slot slot;
    if (full != null && full.indices.length == size) {
      slot = full;
    } else if (last != null && last.indices.length == size) {
      slot = last;
    } else {
      slot = new Slot(size);
      if (full == null) {
        full = slot;
      } else {
        last = slot;
      }
    }
    System.arraycopy(order, from, slot.indices, 0, size);
    for (int i = 0; i < inputRows.length; i++) {
      Nd4j.pullRows(inputRows[i], slot.inputRows[i], 1, slot.indices);
    }
    for (int i = 0; i < targetRows.length; i++) {
      Nd4j.pullRows(targetRows[i], slot.targetRows[i], 1, slot.indices);
    }
    for (int i = 0; weights != null && i < size; i++) {
      slot.weights.set(i, weights.get(slot.indices[i]));
    }
    return slot;
  }

  /** Buffers for batches of one size: arrays shaped as the data and their row views. */
  final class Slot {
    final int[] indices;
    final INDArray[] inputs;
    final INDArray[] targets;
    /** The batch's sample weights, or null. */
    private final Elements weights;
    /** The inputs, targets and weights as a batch of checked data. */
    final CheckedData batch;
    private final INDArray[] inputRows;
    private final INDArray[] targetRows;

    private Slot(int size) {
      indices = new int[size];
      inputs = allocate(data.inputs, size);
      targets = allocate(data.targets, size);
      INDArray weightArray = data.weights == null ? null : NdArrays.zeros(data.weights.dataType(), size);
      weights = weightArray == null ? null : Elements.of(weightArray);
      batch = CheckedData.checked(inputs, targets, weightArray);
      inputRows = asRows(inputs);
      targetRows = asRows(targets);
    }
  }

  private static INDArray[] allocate(INDArray[] like, int size) {
    INDArray[] arrays = new INDArray[like.length];
    for (int i = 0; i < like.length; i++) {
      // ND4J returns its own shape array: change a copy.
      long[] shape = like[i].shape().clone();
      shape[0] = size;
      arrays[i] = NdArrays.zeros(like[i].dataType(), shape);
    }
    return arrays;
  }

  /** Each array as a matrix with one row per sample; views of row-major arrays. */
  private static INDArray[] asRows(INDArray[] arrays) {
    INDArray[] rows = new INDArray[arrays.length];
    for (int i = 0; i < arrays.length; i++) {
      rows[i] = arrays[i].reshape('c', arrays[i].size(0), arrays[i].length() / arrays[i].size(0));
    }
    return rows;
  }
}
