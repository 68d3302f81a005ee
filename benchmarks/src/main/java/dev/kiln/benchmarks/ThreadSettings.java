package dev.kiln.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs the benchmark again under other thread settings. OpenMP and OpenBLAS read their
 * environment variables once, when the native library loads, so each setting needs a JVM of its
 * own: this one starts it with the same Java and class path, the thread variables of
 * {@link Machine#THREAD_VARIABLES} removed and the setting's own put in, and waits for it.
 */
final class ThreadSettings {

  private ThreadSettings() {}

  /** Runs {@code arguments} under each setting in turn; returns false if any run failed. */
  static boolean runEach(List<Map<String, String>> settings, List<String> arguments)
      throws IOException, InterruptedException {
    boolean allPassed = true;
    for (Map<String, String> setting : settings) {
      List<String> command = new ArrayList<>();
      command.add(ProcessHandle.current().info().command().orElse("java"));
      // The same JVM options, such as --add-modules jdk.incubator.vector.
      command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(Benchmark.class.getName());
      command.addAll(arguments);
      ProcessBuilder child = new ProcessBuilder(command).inheritIO();
      Machine.THREAD_VARIABLES.forEach(child.environment()::remove);
      child.environment().putAll(setting);
      System.out.println("## Thread setting: " + (setting.isEmpty() ? "all unset" : setting));
      System.out.println();
      System.out.flush();
      int exit = child.start().waitFor();
      allPassed &= exit == 0;
      System.out.println();
    }
    return allPassed;
  }
}
