package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A new user's project, built as the README tells them: its POM is the README's snippet, its
 * sources the README's Java files, both read from README.md now so the README cannot drift from
 * what works. Maven is the {@code mvn} on the path (Maven 3.8 in CI), run offline against a
 * private repository that holds this build's Kiln and links everything else from the user's
 * local repository (see {@link OverlayRepository}).
 *
 * <p>It runs the compiler plugin's goal rather than a lifecycle phase: a phase would also need
 * Maven's default resources plugin, which a clean machine has not downloaded, and the test runs
 * offline. The snippet's plugin configuration applies to the goal as it would to the phase; a
 * snippet without the plugin's version gets Maven 3.8's plugin 3.1 and fails here.
 */
class ConsumerProjectTest {

  private static final String SECTION = "Using Kiln in your own Maven project";
  private static final Pattern PACKAGE = Pattern.compile("(?m)^package ([\\w.]+);");
  private static final Pattern CLASS = Pattern.compile("(?m)^(?:public )?(?:final )?(?:class|interface) (\\w+)");

  @Test
  void theReadmeSnippetsBuildAndRunAConsumerProject(@TempDir Path dir) throws Exception {
    Optional<Path> maven = onPath("mvn");
    assumeTrue(maven.isPresent(), "mvn is not on the PATH");
    List<ReadmeSnippets.Snippet> snippets =
        ReadmeSnippets.section(ReadmeSnippets.readme(), SECTION);
    List<String> xml = ReadmeSnippets.ofLanguage(snippets, "xml");
    List<String> java = ReadmeSnippets.ofLanguage(snippets, "java");
    assertEquals(1, xml.size(), "one POM snippet in the README's section '" + SECTION + "'");
    assertEquals(2, java.size(), "the model and its use in the README's section '" + SECTION + "'");

    Path project = Files.createDirectories(dir.resolve("consumer"));
    Files.writeString(project.resolve("pom.xml"), pom(xml.get(0)));
    for (String source : java) {
      Files.writeString(sourceFile(project, source), source);
    }
    OverlayRepository repository = kilnRepository(dir.resolve("repository"));

    List<String> command =
        List.of(
            maven.get().toString(), "-B", "-o", "-q",
            "-Dmaven.repo.local=" + repository.root(),
            "compiler:compile");
    String output = run(command, project);

    Path classes = project.resolve("target/classes");
    assertTrue(
        Files.isRegularFile(classes.resolve("demo/MlpModel.class")),
        "the consumer build generated no demo.MlpModel; Maven said:\n" + output);
    INDArray predictions = train(classes, dir.resolve("mlp.kiln"));
    assertArrayEquals(new long[] {16, 10}, predictions.shape());
  }

  /** Runs the README's {@code Train.train} on random data from the consumer's classes. */
  private static INDArray train(Path classes, Path checkpoint) throws Exception {
    try (URLClassLoader loader =
        new URLClassLoader(
            new URL[] {classes.toUri().toURL()}, ConsumerProjectTest.class.getClassLoader())) {
      Nd4j.getRandom().setSeed(3);
      INDArray x = Nd4j.rand(DataType.FLOAT, 128, 784);
      INDArray y = Nd4j.zeros(DataType.FLOAT, 128, 10);
      for (int i = 0; i < 128; i++) {
        y.putScalar(i, i % 10, 1);
      }
      INDArray xTest = Nd4j.rand(DataType.FLOAT, 16, 784);
      return (INDArray)
          loader
              .loadClass("demo.Train")
              .getMethod("train", INDArray.class, INDArray.class, INDArray.class, Path.class)
              .invoke(null, x, y, xTest, checkpoint);
    }
  }

  /** A minimal POM around the README's snippet, which is its dependencies and build. */
  private static String pom(String snippet) {
    return String.join(
        "\n",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
        "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">",
        "  <modelVersion>4.0.0</modelVersion>",
        "  <groupId>demo</groupId>",
        "  <artifactId>consumer</artifactId>",
        "  <version>1.0</version>",
        "  <properties>",
        "    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>",
        "  </properties>",
        snippet,
        "</project>",
        "");
  }

  private static Path sourceFile(Path project, String source) throws IOException {
    Matcher pkg = PACKAGE.matcher(source);
    Matcher type = CLASS.matcher(source);
    assertTrue(pkg.find() && type.find(), "a README Java file without package or type:\n" + source);
    Path dir = project.resolve("src/main/java").resolve(pkg.group(1).replace('.', '/'));
    return Files.createDirectories(dir).resolve(type.group(1) + ".java");
  }

  /** The user's local repository with this build's Kiln in place of any installed one. */
  private static OverlayRepository kilnRepository(Path root) throws IOException {
    Path userRepository =
        Path.of(System.getProperty(
            "maven.repo.local", System.getProperty("user.home") + "/.m2/repository"));
    Path reactor = ReadmeSnippets.readme().getParent();
    OverlayRepository repository = OverlayRepository.over(userRepository, root);
    repository.install("kiln-parent", reactor.resolve("pom.xml"), null);
    for (String module : List.of("annotations", "runtime", "processor")) {
      repository.install(
          "kiln-" + module,
          reactor.resolve(module).resolve("pom.xml"),
          reactor.resolve(module).resolve("target/classes"));
    }
    return repository;
  }

  /** Runs {@code command} in {@code dir} under this JVM's Java; fails with its output unless 0. */
  private static String run(List<String> command, Path dir) throws Exception {
    Path log = Files.createTempFile("consumer-build", ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process process = builder.start();
    boolean finished = process.waitFor(180, TimeUnit.SECONDS);
    if (!finished) {
      process.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    Files.delete(log);
    assertTrue(finished, "the consumer build took over 180 s:\n" + output);
    assertEquals(0, process.exitValue(), () -> String.join(" ", command) + " failed:\n" + output);
    return output;
  }

  private static Optional<Path> onPath(String program) {
    List<String> names = new ArrayList<>(List.of(program));
    if (System.getProperty("os.name").startsWith("Windows")) {
      names.add(0, program + ".cmd");
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      for (String name : names) {
        Path candidate = Path.of(dir, name);
        if (Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }
}
