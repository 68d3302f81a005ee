package dev.kiln.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A Spark standalone cluster on 127.0.0.1 for the tests: a master and workers started as child
 * JVMs with this JVM's class path, each worker launching its executors as its own children.
 * {@link #close} stops them all.
 */
final class StandaloneCluster implements AutoCloseable {

  private final Path home;
  private final Process master;
  private final List<Process> workers = new ArrayList<>();
  private final int masterPort;

  private StandaloneCluster(Path home, Process master, int masterPort) {
    this.home = home;
    this.master = master;
    this.masterPort = masterPort;
  }

  /** Starts a master and {@code workers} workers of one core and 2 GB each. */
  static StandaloneCluster start(int workers) throws IOException, InterruptedException {
    return start(workers, "2g");
  }

  /**
   * Starts a master and {@code workers} workers of one core and {@code memory} each (an
   * executor's memory must fit in it); waits until they registered.
   */
  static StandaloneCluster start(int workers, String memory)
      throws IOException, InterruptedException {
    Path home = Files.createTempDirectory("kiln-spark-home");
    // Spark's launcher looks for $SPARK_HOME/jars; the classes come from the class path instead.
    Files.createDirectories(home.resolve("jars"));
    // The master and workers log their lifecycle at INFO: the lines this class waits for.
    Files.writeString(home.resolve("log4j2.properties"), String.join("\n",
        "rootLogger.level = warn",
        "rootLogger.appenderRef.out.ref = out",
        "appender.out.type = Console",
        "appender.out.name = out",
        "appender.out.layout.type = PatternLayout",
        "appender.out.layout.pattern = %d{HH:mm:ss.SSS} %p %c{1}: %m%n",
        "logger.deploy.name = org.apache.spark.deploy",
        "logger.deploy.level = info", ""));
    int port = freePort();
    Process master = launch(home, "master", List.of("org.apache.spark.deploy.master.Master",
        "--host", "127.0.0.1", "--port", String.valueOf(port),
        "--webui-port", String.valueOf(freePort())));
    StandaloneCluster cluster = new StandaloneCluster(home, master, port);
    try {
      cluster.await(home.resolve("master.log"), "I have been elected leader");
      for (int i = 0; i < workers; i++) {
        Path work = Files.createDirectories(home.resolve("work-" + i));
        cluster.workers.add(launch(home, "worker-" + i, List.of(
            "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
            "--cores", "1", "--memory", memory, "--webui-port", String.valueOf(freePort()),
            "--work-dir", work.toString(), cluster.url())));
      }
      for (int i = 0; i < workers; i++) {
        cluster.await(home.resolve("worker-" + i + ".log"), "Successfully registered with master");
      }
      return cluster;
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  String url() {
    return "spark://127.0.0.1:" + masterPort;
  }

  /** The JVM flags this test JVM runs with that executors need too (Java 17 opens). */
  static String moduleFlags() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(flag -> flag.startsWith("--add-opens") || flag.startsWith("-Djdk.reflect")
            || flag.startsWith("-Dio.netty"))
        .collect(Collectors.joining(" "));
  }

  /** An executor process of the cluster, if one is running: a worker's only children. */
  Optional<ProcessHandle> anExecutor() {
    return workers.stream()
        .flatMap(Process::children)
        .filter(ProcessHandle::isAlive)
        .filter(process -> process.info().command().map(c -> c.endsWith("java")).orElse(true))
        .findFirst();
  }

  @Override
  public void close() {
    for (Process worker : workers) {
      worker.descendants().forEach(ProcessHandle::destroyForcibly);
      worker.destroyForcibly();
    }
    master.destroyForcibly();
    for (Process process : workers) {
      waitFor(process);
    }
    waitFor(master);
    deleteHome();
  }

  /** Removes the cluster's directory: logs, work directories, the executors' files. */
  private void deleteHome() {
    try (var paths = Files.walk(home)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      System.err.println("could not remove " + home + ": " + e);
    }
  }

  private static void waitFor(Process process) {
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Process launch(Path home, String name, List<String> mainAndArguments)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-Dlog4j2.configurationFile=" + home.resolve("log4j2.properties"));
    command.addAll(List.of(moduleFlags().split(" ")));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.addAll(mainAndArguments);
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(home.resolve(name + ".log").toFile());
    builder.environment().put("SPARK_HOME", home.toString());
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    builder.environment().put("SPARK_SCALA_VERSION", "2.13");
    builder.environment().put("OMP_WAIT_POLICY", "PASSIVE");
    return builder.start();
  }

  private void await(Path log, String line) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (Files.exists(log) && Files.readString(log).contains(line)) {
          return;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("no '" + line + "' in " + log + " within 60 s");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
