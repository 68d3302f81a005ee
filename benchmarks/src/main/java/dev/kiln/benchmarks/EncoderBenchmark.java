package dev.kiln.benchmarks;

import dev.kiln.examples.TransformerEncoderModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One transformer encoder block ({@code TransformerEncoder}: 64 tokens of 128 features, 4 heads,
 * feed-forward 512), Kiln against PyTorch: the same block in {@code encoder_block.py}, run by
 * the benchmark's {@code --python} (Debian's {@code /usr/bin/python3} by default) when it has torch (otherwise "not run"). PyTorch runs in its
 * own process after Kiln, so the two are not interleaved as the DL4J comparisons are. DL4J has no
 * twin: its ComputationGraph has no LayerNormalization layer, and its SelfAttentionLayer no
 * output bias; a SameDiff twin was not built.
 */
final class EncoderBenchmark {

  /** The script, from the module's directory (where the bench profile runs) or the root's. */
  private static final Path SCRIPT = Files.isRegularFile(Path.of("src/main/python/encoder_block.py"))
      ? Path.of("src/main/python/encoder_block.py")
      : Path.of("benchmarks/src/main/python/encoder_block.py");
  private EncoderBenchmark() {}

  /** Prints the markdown section: Kiln's medians, and PyTorch's or why they are missing. */
  static List<String> measure(int runs, int warmup, Optional<Path> python) {
    RandomData data = new RandomData(7);
    INDArray x = data.uniform(Networks.BATCH, 64, 128);
    INDArray y = data.uniform(Networks.BATCH, 64, 128);
    TransformerEncoderModel model = TransformerEncoderModel.create(42);
    Samples train = time(() -> model.trainStep(x, y), runs, warmup);
    Samples predict = time(() -> model.predict(x, Networks.BATCH), runs, warmup);
    List<String> lines = new ArrayList<>();
    lines.add("| framework | parameters | train ms | predict ms |");
    lines.add("|---|---:|---:|---:|");
    lines.add(row("Kiln", model.parameterCount(), train, predict));
    lines.add(python.isPresent() ? pytorch(runs, warmup, python.get().toString())
        : "| PyTorch | - | not run (--python none) | |");
    lines.add("| DL4J | - | not built | not built |");
    lines.add("");
    lines.add("Batch " + Networks.BATCH + ", float32, Adam; median (p10-p90) of " + runs
        + " runs after " + warmup + " warm-up runs. DL4J's ComputationGraph has no"
        + " LayerNormalization layer.");
    return lines;
  }

  private static Samples time(Runnable action, int runs, int warmup) {
    for (int i = 0; i < warmup; i++) {
      action.run();
    }
    double[] millis = new double[runs];
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      action.run();
      millis[i] = (System.nanoTime() - start) / 1e6;
    }
    return new Samples(millis);
  }

  /** PyTorch's row, or a row saying why there is none. */
  private static String pytorch(int runs, int warmup, String python) {
    if (!Files.isRegularFile(SCRIPT)) {
      return "| PyTorch | - | not run (no " + SCRIPT + " here) | |";
    }
    List<String> output = new ArrayList<>();
    try {
      Process process = new ProcessBuilder(python, SCRIPT.toString(), Integer.toString(runs),
          Integer.toString(warmup)).redirectErrorStream(true).start();
      try (BufferedReader reader = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        reader.lines().forEach(output::add);
      }
      if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
        process.destroyForcibly();
        return "| PyTorch | - | not run (" + python + " without torch?"
            + (output.isEmpty() ? "" : " " + output.get(output.size() - 1)) + ") | |";
      }
    } catch (IOException e) {
      return "| PyTorch | - | not run (" + e.getMessage() + ") | |";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "| PyTorch | - | interrupted | |";
    }
    long parameters = 0;
    String threads = "?";
    List<Double> train = new ArrayList<>();
    List<Double> predict = new ArrayList<>();
    for (String line : output) {
      String[] parts = line.split(" ");
      switch (parts[0]) {
        case "parameters" -> parameters = Long.parseLong(parts[1]);
        case "threads" -> threads = parts[1];
        case "train" -> train.add(Double.parseDouble(parts[1]));
        case "predict" -> predict.add(Double.parseDouble(parts[1]));
        default -> { }
      }
    }
    return row("PyTorch (" + threads + " threads)", parameters, samples(train), samples(predict));
  }

  private static Samples samples(List<Double> millis) {
    return new Samples(millis.stream().mapToDouble(Double::doubleValue).toArray());
  }

  private static String row(String framework, long parameters, Samples train, Samples predict) {
    return String.format(Locale.ROOT, "| %s | %,d | %s | %s |", framework, parameters,
        describe(train), describe(predict));
  }

  private static String describe(Samples samples) {
    return String.format(Locale.ROOT, "%.1f (%.1f-%.1f)", samples.median(), samples.p10(),
        samples.p90());
  }
}
