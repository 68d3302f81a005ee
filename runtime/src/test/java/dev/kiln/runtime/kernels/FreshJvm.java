package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a measurement in a new JVM with the Vector API. Whether C2 keeps a lanes kernel's vectors
 * in registers depends on what the JVM compiled before: in the test suite's JVM, after other
 * tests, kernels that allocate nothing in a fresh JVM (the benchmark's, an application's first
 * model) allocated megabytes a call, so the heap checks run where the answer does not depend on
 * the order of the tests.
 */
public final class FreshJvm {

  private FreshJvm() {}

  /** What {@code main} of {@code mainClass} prints, line by line; fails the test if it fails. */
  public static List<String> lines(Class<?> mainClass, String... args) {
    return lines(List.of(), mainClass, args);
  }

  /** {@link #lines(Class, String...)} in a JVM started with {@code jvmOptions} too. */
  public static List<String> lines(List<String> jvmOptions, Class<?> mainClass, String... args) {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-modules", "jdk.incubator.vector"));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
    command.addAll(List.of(args));
    try {
      Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
      List<String> lines;
      try (BufferedReader out = new BufferedReader(
          new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        lines = out.lines().toList();
      }
      assertEquals(0, child.waitFor(), "the child JVM failed: " + lines);
      return lines;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The heap bytes a warmed-up call allocated, as the static method {@code method} of {@code
   * type} (taking {@code argument}, or nothing when it is null) measures them in a new JVM.
   */
  public static long bytesPerCall(Class<?> type, String method, String argument) {
    return bytesPerCall(List.of(), type, method, argument);
  }

  /** {@link #bytesPerCall(Class, String, String)} in a JVM started with {@code jvmOptions} too. */
  public static long bytesPerCall(
      List<String> jvmOptions, Class<?> type, String method, String argument) {
    List<String> lines = argument == null
        ? lines(jvmOptions, HeapCheckChild.class, type.getName(), method)
        : lines(jvmOptions, HeapCheckChild.class, type.getName(), method, argument);
    return lines.stream()
        .filter(line -> line.startsWith(HeapCheckChild.PREFIX))
        .mapToLong(line -> Long.parseLong(line.substring(HeapCheckChild.PREFIX.length())))
        .findFirst()
        .orElseThrow(() -> new AssertionError("the child printed no measurement: " + lines));
  }
}
