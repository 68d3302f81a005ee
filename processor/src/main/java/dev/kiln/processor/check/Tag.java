package dev.kiln.processor.check;

/**
 * The stable codes at the start of every Kiln diagnostic, {@code [Kiln/ShapeMismatch]}. Build
 * scripts and people search for them, so a code never changes meaning; {@code docs/errors.md}
 * explains each one with an example and its fix.
 */
public enum Tag {
  // The interface and its methods as Java.
  NOT_AN_INTERFACE("NotAnInterface"),
  GENERIC_MODEL("GenericModel"),
  INHERITANCE("Inheritance"),
  NAME_CLASH("NameClash"),
  NOT_ABSTRACT("NotAbstract"),
  GENERIC_METHOD("GenericMethod"),
  NOT_A_TENSOR("NotATensor"),
  RESERVED_NAME("ReservedName"),
  MISSING_LAYER_ANNOTATION("MissingLayerAnnotation"),
  TWO_LAYER_ANNOTATIONS("TwoLayerAnnotations"),
  BAD_WRAPPER("BadWrapper"),
  // Attribute values.
  BAD_ATTRIBUTE("BadAttribute"),
  // How layers connect.
  DUPLICATE_LAYER("DuplicateLayer"),
  UNKNOWN_LAYER("UnknownLayer"),
  ARITY("Arity"),
  CYCLE("Cycle"),
  NO_OUTPUT("NoOutput"),
  INPUT_AS_OUTPUT("InputAsOutput"),
  DISCONNECTED("Disconnected"),
  UNUSED("Unused"),
  SHARED_WEIGHTS_MISMATCH("SharedWeightsMismatch"),
  // Blocks and their applications.
  NOT_A_BLOCK("NotABlock"),
  BAD_BINDING("BadBinding"),
  MISSING_BLOCK_PARAMETERS("MissingBlockParameters"),
  BLOCK_HAS_ERRORS("BlockHasErrors"),
  // Shapes and types of tensors.
  SHAPE_MISMATCH("ShapeMismatch"),
  DTYPE_MISMATCH("DTypeMismatch"),
  DENSE_ON_LAST_AXIS("DenseOnLastAxis"),
  MASK_DROPPED("MaskDropped"),
  TOO_LARGE("TooLarge"),
  UNSUPPORTED("Unsupported"),
  // Training.
  LOSS_MISMATCH("LossMismatch"),
  DOUBLE_ACTIVATION("DoubleActivation"),
  METRIC_MISMATCH("MetricMismatch"),
  OPTIMIZER_CONFLICT("OptimizerConflict"),
  // The processor itself.
  WRITE_FAILED("WriteFailed"),
  INTERNAL_ERROR("InternalError");

  private final String label;

  Tag(String label) {
    this.label = label;
  }

  /** The code as messages show it, {@code ShapeMismatch}. */
  public String label() {
    return label;
  }

  /** {@code [Kiln/ShapeMismatch]}. */
  @Override
  public String toString() {
    return "[Kiln/" + label + "]";
  }
}
