package dev.kiln.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The benchmark's command-line options.
 *
 * @param networks the keys of the networks to time, in table order
 * @param steps timed training steps (and inference batches) per framework
 * @param longSteps the same for the 784-step sequence models, whose DL4J steps take seconds
 * @param warmup untimed steps and batches per framework before timing
 * @param block how many consecutive steps one framework runs before the other takes over
 * @param profile the keys of the networks whose training step is broken down by native op
 * @param profileSteps the training steps each breakdown averages over
 * @param settings thread settings (environment variables) to run the whole benchmark under, each
 *     in a JVM of its own; empty to run once in this JVM
 * @param gemmRuns runs of each matrix product in the GEMM rate table; 0 for no table
 * @param heapSteps MLP training steps over which each kernel's time and heap allocation are
 *     counted; 0 for no table
 * @param python the Python whose torch runs the PyTorch twins; empty to run none
 */
record Options(
    List<String> networks,
    int steps,
    int longSteps,
    int warmup,
    int block,
    List<String> profile,
    int profileSteps,
    List<Map<String, String>> settings,
    int gemmRuns,
    int heapSteps,
    Optional<Path> python) {

  /** Debian's Python, whose python3-torch package is the PyTorch the README installs. */
  static final Path DEFAULT_PYTHON = Path.of("/usr/bin/python3");

  static final String USAGE = """
      Options (pass them as -Dbench.args="..."):
        --networks a,b,...   networks to time (default: all but rnn; "all" for every one); keys: %s
        --steps N            timed training steps and inference batches per framework (default 20)
        --long-steps N       the same for the 784-step sequence models (default 3)
        --warmup N           untimed steps per framework first (default 3; 784-step models: 1),
                             then 1 s more of them (JIT compilation; 784-step models: none)
        --block N            steps one framework runs before the other takes over (default 5)
        --profile a,b,...    also break these networks' training step down by native op
        --profile-steps N    training steps each breakdown averages (default 10)
        --settings S         run everything under each thread setting S, in a fresh JVM each:
                             "OMP_NUM_THREADS=1,OMP_WAIT_POLICY=PASSIVE;OMP_NUM_THREADS=2"
                             (variables not named in a setting are unset)
        --gemm N             also time matrix products with transposed operands, N runs each
        --heap N             also time the MLP step kernel by kernel and count each kernel's heap,
                             over N steps (the encoder block's step too, over at most 10)
        --python PATH        the Python with torch that runs the PyTorch twins (default
                             /usr/bin/python3; "none" for no PyTorch column)
      """;

  static Options parse(String... args) {
    List<String> keys = Networks.all().stream().map(Networks.Network::key).toList();
    List<String> networks = keys.stream().filter(key -> !key.equals("rnn")).toList();
    int steps = 20;
    int longSteps = 3;
    int warmup = 3;
    int block = 5;
    List<String> profile = List.of();
    int profileSteps = 10;
    List<Map<String, String>> settings = List.of();
    int gemmRuns = 0;
    int heapSteps = 0;
    Optional<Path> python = Optional.of(DEFAULT_PYTHON);
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      if (option.isBlank()) {
        continue;
      }
      if (option.equals("--help")) {
        throw new IllegalArgumentException(USAGE.formatted(String.join(", ", keys)));
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(option + " needs a value\n" + USAGE.formatted(String.join(", ", keys)));
      }
      String value = args[++i];
      switch (option) {
        case "--networks" -> networks = keys(value, keys);
        case "--steps" -> steps = positive(option, value);
        case "--long-steps" -> longSteps = positive(option, value);
        case "--warmup" -> warmup = positive(option, value);
        case "--block" -> block = positive(option, value);
        case "--profile" -> profile = keys(value, keys);
        case "--profile-steps" -> profileSteps = positive(option, value);
        case "--settings" -> settings = settings(value);
        case "--gemm" -> gemmRuns = positive(option, value);
        case "--heap" -> heapSteps = positive(option, value);
        case "--python" -> python = value.equals("none") ? Optional.empty() : Optional.of(Path.of(value));
        default -> throw new IllegalArgumentException(
            "unknown option " + option + "\n" + USAGE.formatted(String.join(", ", keys)));
      }
    }
    return new Options(networks, steps, longSteps, warmup, block, profile, profileSteps, settings,
        gemmRuns, heapSteps, python);
  }

  /** The timed steps for a network. */
  int stepsFor(Networks.Network network) {
    return network.longSequence() ? longSteps : steps;
  }

  /** The warm-up steps for a network: one for the 784-step models, whose steps take seconds. */
  int warmupFor(Networks.Network network) {
    return network.longSequence() ? 1 : warmup;
  }

  /** These options without the thread settings: what each child JVM runs. */
  List<String> withoutSettings(String... args) {
    List<String> rest = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--settings")) {
        i++;
      } else if (!args[i].isBlank()) {
        rest.add(args[i]);
      }
    }
    return rest;
  }

  private static List<String> keys(String value, List<String> known) {
    if (value.equals("all")) {
      return known;
    }
    List<String> keys = new ArrayList<>();
    for (String key : value.split(",")) {
      String trimmed = key.trim().toLowerCase(java.util.Locale.ROOT);
      if (!known.contains(trimmed)) {
        throw new IllegalArgumentException("no network '" + trimmed + "'; networks are " + known);
      }
      keys.add(trimmed);
    }
    // Table order, whatever the order given.
    return known.stream().filter(keys::contains).toList();
  }

  private static int positive(String option, String value) {
    try {
      int number = Integer.parseInt(value);
      if (number > 0) {
        return number;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(option + " needs a positive whole number, got '" + value + "'");
  }

  private static List<Map<String, String>> settings(String value) {
    List<Map<String, String>> settings = new ArrayList<>();
    for (String setting : value.split(";")) {
      Map<String, String> variables = new LinkedHashMap<>();
      for (String assignment : setting.split(",")) {
        if (assignment.isBlank()) {
          continue;
        }
        int equals = assignment.indexOf('=');
        if (equals < 1) {
          throw new IllegalArgumentException(
              "a setting is NAME=VALUE pairs joined by commas, got '" + assignment + "'");
        }
        variables.put(assignment.substring(0, equals).trim(), assignment.substring(equals + 1).trim());
      }
      settings.add(variables);
    }
    return settings;
  }
}
