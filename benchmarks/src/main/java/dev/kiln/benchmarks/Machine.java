package dev.kiln.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What the numbers were measured on: the CPU, the ND4J native build that was actually loaded (read
 * from the process's memory map, not from the POM, since JavaCPP picks among the builds on the
 * class path itself), ND4J's thread counts, the thread environment variables, and how busy the
 * shared machine was.
 */
final class Machine {

  /** The environment variables that decide how many threads the native code runs and how they wait. */
  static final List<String> THREAD_VARIABLES =
      List.of("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "OPENBLAS_NUM_THREADS", "GOMP_SPINCOUNT", "OMP_PROC_BIND");

  private Machine() {}

  /** Whether this JVM has the Vector API module, which Kiln's float32 recurrent passes use. */
  private static boolean vectorApi() {
    return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
        && !"false".equals(System.getProperty("kiln.vectorApi"));
  }

  /** Markdown lines describing the machine, the backend and the thread settings. */
  static List<String> describe() {
    List<String> lines = new ArrayList<>();
    lines.add("- CPU: " + cpu() + ", " + Runtime.getRuntime().availableProcessors() + " cores visible to the JVM");
    lines.add("- ND4J native build loaded: `" + loadedBackend() + "`");
    java.util.Properties nd4j = Nd4j.getExecutioner().getEnvironmentInformation();
    lines.add(String.format(Locale.ROOT, "- ND4J: %s BLAS, %s OpenMP threads; libnd4j max threads %d",
        nd4j.get("blas.vendor"), nd4j.get("omp.threads"), Nd4j.getEnvironment().maxThreads()));
    lines.add("- Thread environment: " + threadEnvironment());
    lines.add("- Java " + System.getProperty("java.version") + ", " + System.getProperty("java.vm.name")
        + "; Vector API (float32 recurrent passes): " + (vectorApi() ? "on" : "off, plain loops"));
    lines.add("- Load average (1, 5, 15 min) at start: " + loadAverage());
    return lines;
  }

  /** The thread variables as set, for example {@code OMP_NUM_THREADS=1, OMP_WAIT_POLICY unset}. */
  static String threadEnvironment() {
    List<String> parts = new ArrayList<>();
    for (String name : THREAD_VARIABLES) {
      String value = System.getenv(name);
      if (value != null || name.startsWith("OMP_N") || name.startsWith("OMP_W")) {
        parts.add(value == null ? name + " unset" : name + "=" + value);
      }
    }
    return String.join(", ", parts);
  }

  /** The 1, 5 and 15 minute load averages from /proc/loadavg, or "unknown". */
  static String loadAverage() {
    return read("/proc/loadavg")
        .map(text -> String.join(" ", List.of(text.trim().split("\\s+")).subList(0, 3)))
        .orElse("unknown");
  }

  /** The model name, family and model number, and the widest vector extension. */
  static String cpu() {
    Optional<String> info = read("/proc/cpuinfo");
    if (info.isEmpty()) {
      return System.getProperty("os.arch");
    }
    String text = info.get();
    String flags = " " + field(text, "flags") + " ";
    String vectors = flags.contains(" avx512f ") ? "AVX-512" : flags.contains(" avx2 ") ? "AVX2" : "no AVX2";
    return String.format(Locale.ROOT, "%s (family %s, model %s, %s)",
        field(text, "model name"), field(text, "cpu family"), field(text, "model"), vectors);
  }

  /**
   * The directory name of the loaded {@code libnd4jcpu.so}, which is the classifier of the jar it
   * came from, such as {@code linux-x86_64-onednn}.
   */
  static String loadedBackend() {
    Nd4j.getExecutioner(); // loads the backend
    return read("/proc/self/maps")
        .flatMap(maps -> maps.lines()
            .filter(line -> line.endsWith("/libnd4jcpu.so"))
            .map(line -> Path.of(line.substring(line.indexOf('/'))).getParent().getFileName().toString())
            .findFirst())
        .orElse("unknown");
  }

  private static String field(String cpuinfo, String name) {
    return cpuinfo.lines()
        .filter(line -> line.startsWith(name) && line.substring(name.length()).trim().startsWith(":"))
        .map(line -> line.substring(line.indexOf(':') + 1).trim())
        .findFirst()
        .orElse("?");
  }

  private static Optional<String> read(String file) {
    try {
      return Optional.of(Files.readString(Path.of(file)));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
