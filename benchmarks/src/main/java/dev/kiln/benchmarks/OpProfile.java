package dev.kiln.benchmarks;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.profiler.OpProfiler;
import org.nd4j.linalg.profiler.ProfilerConfig;
import org.nd4j.linalg.profiler.data.StringAggregator;

/**
 * Where a training step's time goes: every native op ND4J runs during the step, timed by ND4J's
 * own profiling hook ({@code checkElapsedTime}), and attributed to the framework code that called
 * it: for Kiln the runtime kernel the generated model called ({@code Dense.backward}), for DL4J
 * the innermost DL4J method ({@code ConvolutionLayer.backpropGradient}). What is not inside any
 * op is Java: building ops, views and shapes, and the framework's own bookkeeping.
 *
 * <p>The hook sees only ops run through ND4J's executioner. Kiln's Java loops (the optimizers,
 * small ReLU, bias, softmax and loss kernels) and its matmuls bound to their arrays (Dense) run
 * beside it, so their time counts as Java here; {@link MlpStepByKernel} times them per call.
 *
 * <p>The hook's only output is ND4J's text dashboard, so its aggregator, which the profiler lets
 * one replace, is replaced by one that keeps the numbers.
 */
final class OpProfile {

  /** The generated models' package: the frame below it is the runtime call. */
  private static final String KILN_MODELS = "dev.kiln.examples.";

  private static final StackWalker WALKER = StackWalker.getInstance();

  /** One op called from one place: its total time and call count over the profiled steps. */
  record Entry(String caller, String op, long nanos, long calls) {}

  /** The profiled steps: their total time and every op inside them. */
  record Breakdown(double stepMillis, int steps, List<Entry> entries) {

    double insideOpsMillis() {
      return entries.stream().mapToLong(Entry::nanos).sum() / 1e6 / steps;
    }
  }

  private OpProfile() {}

  /** Kiln: the runtime method a generated model called, such as {@code Dense.backward}. */
  static String kilnCaller(Stream<StackWalker.StackFrame> frames) {
    StackWalker.StackFrame previous = null;
    for (StackWalker.StackFrame frame : (Iterable<StackWalker.StackFrame>) frames::iterator) {
      if (frame.getClassName().startsWith(KILN_MODELS)) {
        return previous == null ? "?" : previous.getClassName().startsWith("dev.kiln.")
            ? name(previous)
            : "generated code: " + previous.getMethodName();
      }
      previous = frame;
    }
    return "outside the model";
  }

  /**
   * DL4J: the innermost DL4J method, such as {@code ConvolutionLayer.backpropGradient}, or for a
   * SameDiff graph the innermost SameDiff method ({@code InferenceSession.doExec}).
   */
  static String dl4jCaller(Stream<StackWalker.StackFrame> frames) {
    return frames
        .filter(frame -> frame.getClassName().startsWith("org.deeplearning4j.")
            || frame.getClassName().startsWith("org.nd4j.autodiff."))
        .findFirst()
        .map(OpProfile::name)
        .orElse("outside DL4J");
  }

  /** Profiles {@code steps} runs of {@code step}, attributing each op with {@code caller}. */
  static Breakdown profile(Runnable step, int steps, Function<Stream<StackWalker.StackFrame>, String> caller) {
    Collector collector = new Collector(caller);
    OpProfiler profiler = OpProfiler.getInstance();
    Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().checkElapsedTime(true).build());
    profiler.setClassAggergator(collector);
    long start = System.nanoTime();
    try {
      for (int i = 0; i < steps; i++) {
        step.run();
      }
    } finally {
      Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().build());
      profiler.setClassAggergator(new StringAggregator());
    }
    // The collector's own time (walking the stack) is the profiler's, not the step's.
    double stepMillis = (System.nanoTime() - start - collector.ownNanos) / 1e6 / steps;
    return new Breakdown(stepMillis, steps, collector.entries());
  }

  /** Markdown: per caller, its time per step, its share, and its ops; then the time outside ops. */
  static List<String> render(String framework, Breakdown breakdown, int rows) {
    Map<String, List<Entry>> byCaller = breakdown.entries().stream()
        .collect(Collectors.groupingBy(Entry::caller, LinkedHashMap::new, Collectors.toList()));
    List<Map.Entry<String, List<Entry>>> callers = new ArrayList<>(byCaller.entrySet());
    callers.sort(Comparator.comparingLong((Map.Entry<String, List<Entry>> e) -> -total(e.getValue())));
    double steps = breakdown.steps();
    double step = breakdown.stepMillis();
    List<String> lines = new ArrayList<>();
    lines.add("| " + framework + " caller | ms/step | share | native ops: ms/step (calls/step) |");
    lines.add("|---|---:|---:|---|");
    for (Map.Entry<String, List<Entry>> caller : callers.subList(0, Math.min(rows, callers.size()))) {
      double millis = total(caller.getValue()) / 1e6 / steps;
      String ops = caller.getValue().stream()
          .sorted(Comparator.comparingLong(e -> -e.nanos()))
          .map(e -> String.format(Locale.ROOT, "%s %s (%s)",
              e.op(), ComparisonTable.millis(e.nanos() / 1e6 / steps), calls(e.calls() / steps)))
          .collect(Collectors.joining(", "));
      lines.add(String.format(Locale.ROOT, "| %s | %s | %.0f%% | %s |",
          caller.getKey(), ComparisonTable.millis(millis), 100 * millis / step, ops));
    }
    if (callers.size() > rows) {
      double rest = callers.subList(rows, callers.size()).stream()
          .mapToLong(e -> total(e.getValue())).sum() / 1e6 / steps;
      lines.add(String.format(Locale.ROOT, "| %d other callers | %s | %.0f%% | |",
          callers.size() - rows, ComparisonTable.millis(rest), 100 * rest / step));
    }
    double outside = step - breakdown.insideOpsMillis();
    lines.add(String.format(Locale.ROOT, "| outside native ops (Java) | %s | %.0f%% | |",
        ComparisonTable.millis(outside), 100 * outside / step));
    lines.add(String.format(Locale.ROOT, "| **step, while profiled** | **%s** | 100%% | |",
        ComparisonTable.millis(step)));
    return lines;
  }

  private static String calls(double perStep) {
    return perStep == Math.rint(perStep) ? Long.toString((long) perStep)
        : String.format(Locale.ROOT, "%.1f", perStep);
  }

  private static long total(List<Entry> entries) {
    return entries.stream().mapToLong(Entry::nanos).sum();
  }

  private static String name(StackWalker.StackFrame frame) {
    String type = frame.getClassName();
    return type.substring(type.lastIndexOf('.') + 1) + "." + frame.getMethodName();
  }

  /** ND4J's aggregator, replaced: keeps each op's time under its caller and its name. */
  private static final class Collector extends StringAggregator {

    private final Function<Stream<StackWalker.StackFrame>, String> caller;
    private final Map<List<String>, long[]> times = new LinkedHashMap<>();
    private long ownNanos;

    Collector(Function<Stream<StackWalker.StackFrame>, String> caller) {
      this.caller = caller;
    }

    @Override
    public void putTime(String key, Op op, long nanos) {
      record(op.opName(), nanos);
    }

    @Override
    public void putTime(String key, CustomOp op, long nanos) {
      record(op.opName(), nanos);
    }

    @Override
    public void putTime(String key, long nanos) {
      // The profiler reports each op twice, the second time under a key with the op's hash.
    }

    private void record(String op, long nanos) {
      long start = System.nanoTime();
      String site = WALKER.walk(caller);
      long[] total = times.computeIfAbsent(List.of(site, op), k -> new long[2]);
      total[0] += nanos;
      total[1]++;
      ownNanos += System.nanoTime() - start;
    }

    List<Entry> entries() {
      List<Entry> entries = new ArrayList<>();
      times.forEach((key, total) -> entries.add(new Entry(key.get(0), key.get(1), total[0], total[1])));
      return entries;
    }
  }
}
