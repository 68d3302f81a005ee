package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * GELU, attention's softmax, attention's core (also reading one projection's rows), the scores'
 * gradient, the backward pass's core ({@link AttentionGradientLanes}), the input check's finite
 * test, the bias add and sums, the squared error and GELU's backward pass from its slope in lanes
 * allocate no Java heap once C2 has compiled them (a
 * FloatVector that crosses a call C2 leaves out of line is a heap object, see LstmLanesHeapTest),
 * measured in a JVM of their own ({@link LanesHeapChild}, {@link FreshJvm}).
 */
class LanesHeapTest {

  /** Heap bytes a warmed-up call may allocate: the call's few objects, no vector. */
  static final long LIMIT = 1024;

  @Test
  void warmedUpLanesAllocateNoHeapInAFreshJvm() {
    assumeTrue(VectorApi.ENABLED);
    List<String> lines = FreshJvm.lines(LanesHeapChild.class);
    int measured = 0;
    for (String line : lines) {
      String[] parts = line.split(" ");
      if (parts.length == 2 && List.of("gelu", "softmax", "core", "rawcore", "scoresgradient",
          "gradientlanes", "finite", "biasadd", "biassums", "mse", "geluslope")
          .contains(parts[0])) {
        long bytes = Long.parseLong(parts[1]);
        assertTrue(bytes <= LIMIT, "a warmed-up call of " + parts[0] + " in lanes allocated "
            + bytes + " heap bytes, more than " + LIMIT + " (vectors boxed?)");
        measured++;
      }
    }
    assertEquals(11, measured, "the child's output: " + lines);
  }
}
