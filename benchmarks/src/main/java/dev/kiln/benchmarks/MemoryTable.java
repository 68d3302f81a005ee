package dev.kiln.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Peak native memory per network: each measured by {@link MemoryProbe} in a fresh JVM (same Java,
 * class path and environment as the benchmark), rendered as a markdown table.
 */
final class MemoryTable {

  private MemoryTable() {}

  /** One probe's readings, in bytes; planned and floor are -1 for a model without a plan. */
  record Reading(String key, int batch, long loaded, long predictPeak, long trainPeak, long arrays,
      long planned, long floor, long heapPeak) {

    static Reading parse(String line) {
      String[] f = line.trim().split(" ");
      if (f.length != 10 || !f[0].equals("memory")) {
        throw new IllegalArgumentException("not a memory reading: " + line);
      }
      return new Reading(f[1], Integer.parseInt(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]),
          Long.parseLong(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7]), Long.parseLong(f[8]),
          Long.parseLong(f[9]));
    }

    /** The peak of training less what the JVM and ND4J held before the model, over the floor. */
    double overFloor() {
      return floor > 0 ? (double) (trainPeak - loaded) / floor : Double.NaN;
    }
  }

  /** Measures each network (keys of {@link Networks}, or {@link MemoryProbe#UNET}) in turn. */
  static List<Reading> measure(List<String> keys) throws IOException, InterruptedException {
    List<Reading> readings = new ArrayList<>();
    for (String key : keys) {
      System.err.println("measuring the memory of " + key + " in a fresh JVM ...");
      readings.add(probe(key));
    }
    return readings;
  }

  private static Reading probe(String key) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // The probe runs the kernels this JVM runs: with the Vector API's lanes where it has them.
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
      command.addAll(List.of("--add-modules", "jdk.incubator.vector"));
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), MemoryProbe.class.getName(), key));
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String reading = null;
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.startsWith("memory ")) {
          reading = line;
        }
      }
    }
    int exit = process.waitFor();
    if (exit != 0 || reading == null) {
      throw new IOException("the memory probe of " + key + " failed (exit " + exit + ")");
    }
    return Reading.parse(reading);
  }

  static List<String> render(List<Reading> readings, List<String> titles) {
    List<String> lines = new ArrayList<>();
    lines.add("| network | batch | JVM and ND4J loaded | peak after " + MemoryProbe.PREDICTIONS
        + " predictions | peak after " + MemoryProbe.TRAINING_STEPS + " training steps | of it, Java heap | Kiln's arrays"
        + " | planned | floor | (peak - loaded) / floor |");
    lines.add("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (int i = 0; i < readings.size(); i++) {
      Reading r = readings.get(i);
      lines.add(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |",
          titles.get(i), r.batch(), mb(r.loaded()), mb(r.predictPeak()), mb(r.trainPeak()),
          mb(r.heapPeak()), mb(r.arrays()), mb(r.planned()), mb(r.floor()),
          Double.isNaN(r.overFloor()) ? "-" : String.format(Locale.ROOT, "%.2f", r.overFloor())));
    }
    lines.add("");
    lines.add("MB = 10^6 bytes. Each network in a fresh JVM: its resident set (VmRSS) once ND4J is"
        + " loaded, then its peak resident set (VmHWM, /proc/self/status) after " + MemoryProbe.PREDICTIONS
        + " predictions and after " + MemoryProbe.TRAINING_STEPS + " training steps that follow them"
        + " (so the prediction buffers count in both). Of it, Java heap: the heap pools' peak use"
        + " (MemoryPoolMXBean), part of the resident set. Kiln's arrays: bytes of every array the runtime"
        + " created (NdArrays). Planned: parameters, gradients, optimizer state and a training step's"
        + " batch buffers as the processor planned them; floor: the same with the most loss gradients"
        + " live at once in place of their arena (\"-\": a variable-length model, not planned).");
    return lines;
  }

  private static String mb(long bytes) {
    return bytes < 0 ? "-" : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
  }
}
