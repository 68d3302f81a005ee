package dev.kiln;

/** Metrics reported during training and evaluation, with Keras' names. */
public enum Metric {
  /**
   * Keras' {@code accuracy}: categorical, sparse categorical or binary accuracy, whichever fits
   * the output's loss.
   */
  ACCURACY,
  /** The share of samples whose highest-scoring class is the one-hot target's class. */
  CATEGORICAL_ACCURACY,
  /** The share of samples whose highest-scoring class equals the integer target. */
  SPARSE_CATEGORICAL_ACCURACY,
  /** The share of outputs on the right side of 0.5 (of 0 for logits). */
  BINARY_ACCURACY,
  /** The share of samples whose one-hot class is among the 5 highest scores. */
  TOP_K_CATEGORICAL_ACCURACY,
  /** The share of samples whose integer class is among the 5 highest scores. */
  SPARSE_TOP_K_CATEGORICAL_ACCURACY,
  /** Of the outputs predicted positive (above 0.5), the share that are positive. */
  PRECISION,
  /** Of the positive targets, the share predicted positive (above 0.5). */
  RECALL,
  /** Mean absolute error (Keras' {@code mean_absolute_error}; not {@code MAE}, which is a Loss). */
  MEAN_ABSOLUTE_ERROR,
  /** Mean squared error (Keras' {@code mean_squared_error}; not {@code MSE}, which is a Loss). */
  MEAN_SQUARED_ERROR,
  /**
   * Area under the ROC curve over the epoch's predictions, each output value a yes/no prediction
   * (Keras' {@code AUC}); exact rather than Keras' 200-threshold approximation.
   */
  AUC,
  /** Area under the precision-recall curve (average precision) over the epoch's predictions. */
  PR_AUC,
  /** Mean intersection over union of the predicted classes, for segmentation (Keras' {@code MeanIoU}). */
  MEAN_IOU,
  /** Coefficient of determination, averaged over output columns (Keras' {@code R2Score}). */
  R2_SCORE
}
