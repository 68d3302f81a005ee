package dev.kiln.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The PyTorch twins of the networks, in a Python process of their own running the module's
 * {@code torch_twins.py}, which times runs when told to: the Java side decides whose turn it is,
 * so PyTorch takes turns with Kiln and DL4J within one run. Its heap is not counted.
 */
final class PyTorchProcess implements AutoCloseable {

  /** Debian's OpenBLAS built for OpenMP: PyTorch's own threads are OpenMP threads too. */
  static final Path OPENBLAS_OPENMP = Path.of("/usr/lib/x86_64-linux-gnu/openblas-openmp");

  /** Why PyTorch was not run: no such Python, no torch on it, or the script failed. */
  static final class Unavailable extends Exception {
    Unavailable(String reason) {
      super(reason);
    }
  }

  private final Process process;
  private final BufferedReader replies;
  private final PrintWriter commands;
  private final String description;

  private PyTorchProcess(Process process, String description) {
    this.process = process;
    this.replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
    this.description = description;
  }

  /**
   * Starts the twins' script on {@code python}, with Debian's OpenMP OpenBLAS on the library path
   * where it is installed and the benchmark's thread environment (OMP_WAIT_POLICY) inherited.
   */
  static PyTorchProcess start(Path python) throws Unavailable {
    if (!Files.isExecutable(python)) {
      throw new Unavailable("no " + python);
    }
    try {
      Path script = Files.createTempFile("kiln-torch-twins", ".py");
      script.toFile().deleteOnExit();
      try (InputStream source = PyTorchProcess.class.getResourceAsStream("torch_twins.py")) {
        Files.write(script, source.readAllBytes());
      }
      ProcessBuilder builder = new ProcessBuilder(python.toString(), script.toString());
      builder.redirectError(ProcessBuilder.Redirect.INHERIT);
      Map<String, String> environment = builder.environment();
      if (Files.isDirectory(OPENBLAS_OPENMP)) {
        String path = environment.get("LD_LIBRARY_PATH");
        environment.put("LD_LIBRARY_PATH", OPENBLAS_OPENMP + (path == null || path.isEmpty() ? "" : ":" + path));
      }
      Process process = builder.start();
      PyTorchProcess twins = new PyTorchProcess(process, "");
      String ready = twins.replies.readLine();
      if (ready == null || !ready.startsWith("ready ")) {
        process.destroy();
        throw new Unavailable(ready == null ? python + " exited at once"
            : ready.startsWith("unavailable ") ? ready.substring("unavailable ".length()) : ready);
      }
      return new PyTorchProcess(process, describe(ready.substring("ready ".length())));
    } catch (IOException e) {
      throw new Unavailable(e.getMessage());
    }
  }

  /** Torch's version, threads and the BLAS library the process loaded. */
  String description() {
    return description;
  }

  /** Builds the twin of the network {@code key} on a random batch; returns its parameter count. */
  long build(String key, int batch, long seed) {
    return Long.parseLong(ask("build " + key + " " + batch + " " + seed, "ok "));
  }

  /** The contender that runs training steps of the last network built. */
  Interleaved.Contender training() {
    return (millis, from, runs) -> timed("train", millis, from, runs);
  }

  /** The contender that runs inference batches of the last network built. */
  Interleaved.Contender inference() {
    return (millis, from, runs) -> timed("predict", millis, from, runs);
  }

  private long timed(String command, double[] millis, int from, int runs) {
    String[] values = ask(command + " " + runs, "ms ").trim().split(" ");
    if (values.length != runs) {
      throw new IllegalStateException("PyTorch twin answered " + values.length + " times for " + runs + " runs");
    }
    for (int i = 0; i < runs; i++) {
      millis[from + i] = Double.parseDouble(values[i]);
    }
    return Interleaved.NOT_COUNTED;
  }

  private String ask(String command, String expected) {
    commands.println(command);
    try {
      String reply = replies.readLine();
      if (reply == null || !reply.startsWith(expected)) {
        throw new IllegalStateException("PyTorch twin, asked '" + command + "', answered: " + reply);
      }
      return reply.substring(expected.length());
    } catch (IOException e) {
      throw new IllegalStateException("PyTorch twin, asked '" + command + "': " + e.getMessage(), e);
    }
  }

  /** "torch 1.13.0a0 2 /usr/lib/.../openblas-openmp/libblas.so.3,..." as one readable line. */
  private static String describe(String ready) {
    String[] words = ready.split(" ", 4);
    String blas = words.length < 4 ? "unknown" : words[3].split(",")[0];
    return String.format("PyTorch %s, %s threads, BLAS `%s`", words[1], words.length > 2 ? words[2] : "?", blas);
  }

  @Override
  public void close() {
    commands.println("quit");
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroy();
      }
    } catch (InterruptedException e) {
      process.destroy();
      Thread.currentThread().interrupt();
    }
  }
}
