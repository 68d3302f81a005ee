package dev.kiln.runtime.losses;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/** Elementwise clipping into a given output. */
final class Clip {

  private Clip() {}

  /** Writes {@code x} clipped to {@code [min, max]} into {@code out}; {@code out} may be {@code x}. */
  static void into(INDArray x, double min, double max, INDArray out) {
    Nd4j.exec(
        DynamicCustomOp.builder("clipbyvalue")
            .addInputs(x)
            .addOutputs(out)
            .addFloatingPointArguments(min, max)
            .build());
  }
}
