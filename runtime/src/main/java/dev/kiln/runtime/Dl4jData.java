package dev.kiln.runtime;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * DL4J's data holders as a model's data: a {@link DataSet} for a model of one input (and one
 * output), a {@link MultiDataSet} for any model, its features and labels in the order the model
 * declares its inputs and outputs. A labels mask of one value per sample, DL4J's per-example
 * mask, gives the sample weights (DL4J's losses multiply each example's score by it); other masks
 * are refused. Counts and masks are checked here, shapes and weights by {@link CheckedData} as
 * for every other data.
 */
final class Dl4jData {

  private Dl4jData() {}

  /** The arrays of a whole data set, or of one batch, with nothing copied. */
  private record Arrays(INDArray[] inputArrays, INDArray[] targetArrays, INDArray sampleWeights)
      implements ModelData {

    Arrays(INDArray[] inputArrays, INDArray[] targetArrays) {
      this(inputArrays, targetArrays, null);
    }
  }

  /**
   * {@code data}'s features and labels as {@code model}'s data; {@code what} names it in messages
   * ({@code "the DataSet"}, {@code "batch 3 of the DataSetIterator"}).
   */
  static ModelData of(KilnModel model, DataSet data, boolean needTargets, String what) {
    if (data == null) {
      throw new IllegalArgumentException(what + " is null");
    }
    ModelSpec spec = model.spec();
    if (spec.inputs().size() != 1) {
      throw new IllegalArgumentException(
          what + " holds one feature array but model " + spec.name() + " has "
              + spec.inputs().size() + " inputs " + inputNames(spec)
              + "; use a MultiDataSet with its features in this order");
    }
    if (data.getFeaturesMaskArray() != null) {
      throw noMasks(what);
    }
    if (data.getFeatures() == null) {
      throw new IllegalArgumentException(what + " has no features");
    }
    if (!needTargets) {
      return new Arrays(new INDArray[] {data.getFeatures()}, new INDArray[0]);
    }
    if (data.getLabels() == null) {
      throw new IllegalArgumentException(
          what + " has no labels; training and evaluation need the targets");
    }
    if (spec.outputs().size() != 1) {
      throw new IllegalArgumentException(
          what + " holds one label array but model " + spec.name() + " has "
              + spec.outputs().size() + " outputs " + outputNames(spec)
              + "; use a MultiDataSet with its labels in this order");
    }
    return new Arrays(new INDArray[] {data.getFeatures()}, new INDArray[] {data.getLabels()},
        perExample(data.getLabelsMaskArray(), what));
  }

  /** As {@link #of(KilnModel, DataSet, boolean, String)}, for any number of inputs and outputs. */
  static ModelData of(KilnModel model, MultiDataSet data, boolean needTargets, String what) {
    if (data == null) {
      throw new IllegalArgumentException(what + " is null");
    }
    ModelSpec spec = model.spec();
    if (data.getFeaturesMaskArrays() != null
        && java.util.Arrays.stream(data.getFeaturesMaskArrays()).anyMatch(m -> m != null)) {
      throw noMasks(what);
    }
    INDArray[] features = data.getFeatures();
    if (features == null || features.length != spec.inputs().size()) {
      throw new IllegalArgumentException(
          what + " has " + (features == null ? 0 : features.length) + " feature arrays but model "
              + spec.name() + " has " + spec.inputs().size() + " inputs " + inputNames(spec)
              + "; give one feature array per input, in this order");
    }
    if (!needTargets) {
      return new Arrays(features, new INDArray[0]);
    }
    INDArray[] labels = data.getLabels();
    if (labels == null || labels.length != spec.outputs().size()) {
      throw new IllegalArgumentException(
          what + " has " + (labels == null ? 0 : labels.length) + " label arrays but model "
              + spec.name() + " has " + spec.outputs().size() + " outputs " + outputNames(spec)
              + "; give one label array per output, in this order");
    }
    return new Arrays(features, labels, perExample(data.getLabelsMaskArrays(), what));
  }

  /**
   * The sample weights of a MultiDataSet's labels masks: none, or one per-example mask that every
   * output has (Kiln weighs a sample alike in every output's loss, as Keras' single {@code
   * sample_weight} array does).
   */
  private static INDArray perExample(INDArray[] masks, String what) {
    if (masks == null || java.util.Arrays.stream(masks).allMatch(m -> m == null)) {
      return null;
    }
    INDArray first = perExample(masks[0], what);
    for (INDArray mask : masks) {
      if (first == null || mask == null || !mask.equals(masks[0])) {
        throw new IllegalArgumentException(
            what + " has labels masks that differ between outputs; Kiln reads a per-example"
                + " labels mask as sample weights, one weight per sample for every output: give"
                + " every output the same (n, 1) mask");
      }
    }
    return first;
  }

  /** A labels mask of one value per sample, as the sample weights; null for none. */
  private static INDArray perExample(INDArray mask, String what) {
    if (mask == null) {
      return null;
    }
    boolean perExample = mask.rank() == 1 || mask.rank() == 2 && mask.size(1) == 1;
    if (!perExample) {
      throw new IllegalArgumentException(
          what + " has a labels mask of shape " + Shapes.of(mask.shape()) + "; Kiln reads only a"
              + " per-example mask, one value per sample (n, 1), as sample weights, and applies"
              + " no per-step or per-output masks");
    }
    return mask;
  }

  private static IllegalArgumentException noMasks(String what) {
    return new IllegalArgumentException(
        what + " has mask arrays, which Kiln does not apply; give batches whose samples are all"
            + " of one length (pad or bucket sequences) without masks");
  }

  private static List<String> inputNames(ModelSpec spec) {
    return spec.inputs().stream().map(InputSpec::name).toList();
  }

  private static List<String> outputNames(ModelSpec spec) {
    return spec.outputs().stream().map(OutputSpec::name).toList();
  }
}
