package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * GELU, attention's softmax, attention's core and the input check's finite test in lanes allocate
 * no Java heap once C2 has compiled them (a FloatVector that crosses a call C2 leaves out of line is a heap object, see
 * LstmLanesHeapTest), measured in a JVM of their own ({@link LanesHeapChild}): in the test suite's
 * JVM, after the tests before them, the same warm-up kept allocating megabytes a call for
 * them, which a fresh JVM, like the benchmark's, does not.
 */
class LanesHeapTest {

  /** Heap bytes a warmed-up call may allocate: the call's few objects, no vector. */
  static final long LIMIT = 1024;

  @Test
  void warmedUpLanesAllocateNoHeapInAFreshJvm() throws IOException, InterruptedException {
    assumeTrue(VectorApi.ENABLED);
    Process child = new ProcessBuilder(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-modules", "jdk.incubator.vector",
        "-cp", System.getProperty("java.class.path"),
        LanesHeapChild.class.getName())).redirectErrorStream(true).start();
    List<String> lines;
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      lines = out.lines().toList();
    }
    assertEquals(0, child.waitFor(), "the child JVM failed: " + lines);
    int measured = 0;
    for (String line : lines) {
      String[] parts = line.split(" ");
      if (parts.length == 2 && List.of("gelu", "softmax", "core", "finite").contains(parts[0])) {
        long bytes = Long.parseLong(parts[1]);
        assertTrue(bytes <= LIMIT, "a warmed-up call of " + parts[0] + " in lanes allocated "
            + bytes + " heap bytes, more than " + LIMIT + " (vectors boxed?)");
        measured++;
      }
    }
    assertEquals(4, measured, "the child's output: " + lines);
  }
}
