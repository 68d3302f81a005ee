package dev.kiln.runtime.io;

import dev.kiln.DType;
import dev.kiln.Initializer;
import dev.kiln.Loss;
import dev.kiln.Optimizer;
import dev.kiln.runtime.InputSpec;
import dev.kiln.runtime.ModelSpec;
import dev.kiln.runtime.OutputSpec;
import dev.kiln.runtime.ParameterSpec;
import java.util.List;

/** Specs for checkpoint tests about files rather than content: one parameter of any length. */
final class CheckpointFiles {

  private CheckpointFiles() {}

  /** A model whose only parameter is a kernel of {@code length} values. */
  static ModelSpec spec(long length) {
    return new ModelSpec(
        "Big",
        "fingerprint",
        List.of(new InputSpec("input", new long[] {1}, DType.FLOAT32)),
        List.of(new OutputSpec("dense", new long[] {length}, Loss.MSE, 1.0, List.of())),
        List.of(new ParameterSpec(
            "dense", "kernel", new long[] {1, length}, Initializer.ZEROS, 1, length)),
        Optimizer.SGD,
        Double.NaN,
        "",
        "");
  }
}
