package dev.kiln.processor.emit;

import com.palantir.javapoet.ClassName;

/** The runtime's types that generated code names. The processor never loads them. */
public final class Runtime {

  public static final String PACKAGE = "dev.kiln.runtime";
  public static final String KERNELS = PACKAGE + ".kernels";
  public static final String LOSSES = PACKAGE + ".losses";

  public static final ClassName KILN_MODEL = ClassName.get(PACKAGE, "KilnModel");
  public static final ClassName MODEL_SPEC = ClassName.get(PACKAGE, "ModelSpec");
  public static final ClassName LAYER_TRANSFER = ClassName.get(PACKAGE, "LayerTransfer");
  public static final ClassName INPUT_SPEC = ClassName.get(PACKAGE, "InputSpec");
  public static final ClassName OUTPUT_SPEC = ClassName.get(PACKAGE, "OutputSpec");
  public static final ClassName PARAMETER_SPEC = ClassName.get(PACKAGE, "ParameterSpec");
  public static final ClassName LAYER_SPEC = ClassName.get(PACKAGE, "LayerSpec");
  public static final ClassName APPLICATION_SPEC = ClassName.get(PACKAGE, "ApplicationSpec");
  public static final ClassName LAYER_COST = ClassName.get(PACKAGE, "LayerCost");
  public static final ClassName STEP_COUNT = LAYER_COST.nestedClass("Count");
  public static final ClassName MODEL_DATA = ClassName.get(PACKAGE, "ModelData");
  public static final ClassName BUFFER_CACHE = ClassName.get(PACKAGE, "BufferCache");
  public static final ClassName ND_ARRAYS = ClassName.get(PACKAGE, "NdArrays");
  public static final ClassName BUFFER_PLAN = ClassName.get(PACKAGE, "BufferPlan");

  public static final ClassName INDARRAY = ClassName.get("org.nd4j.linalg.api.ndarray", "INDArray");
  public static final ClassName DATA_TYPE = ClassName.get("org.nd4j.linalg.api.buffer", "DataType");

  private Runtime() {}

  /** A kernel class, such as {@code Dense}. */
  public static ClassName kernel(String simpleName) {
    return ClassName.get(KERNELS, simpleName);
  }

  /** A loss class, such as {@code CategoricalCrossEntropy}. */
  public static ClassName loss(String simpleName) {
    return ClassName.get(LOSSES, simpleName);
  }
}
