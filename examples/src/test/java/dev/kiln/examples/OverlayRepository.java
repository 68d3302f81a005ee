package dev.kiln.examples;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * A private Maven local repository for a consumer build: every group of the user's local
 * repository linked in (so ND4J, the compiler plugin and the rest resolve offline, without
 * copying hundreds of megabytes), except {@code dev.kiln}, whose artifacts are installed from
 * this build's compiled classes. The user's repository gets nothing written into it by Kiln and
 * is not consulted for Kiln.
 */
final class OverlayRepository {

  static final String VERSION = "0.1.0-SNAPSHOT";

  private final Path root;

  private OverlayRepository(Path root) {
    this.root = root;
  }

  /** Links the groups of {@code userRepository} into {@code root}, leaving out dev/kiln. */
  static OverlayRepository over(Path userRepository, Path root) throws IOException {
    Files.createDirectories(root);
    for (Path top : list(userRepository)) {
      Path name = top.getFileName();
      if (name.toString().equals("dev") && Files.isDirectory(top)) {
        Path dev = Files.createDirectories(root.resolve("dev"));
        for (Path group : list(top)) {
          if (!group.getFileName().toString().equals("kiln")) {
            Files.createSymbolicLink(dev.resolve(group.getFileName().toString()), group);
          }
        }
      } else {
        Files.createSymbolicLink(root.resolve(name.toString()), top);
      }
    }
    return new OverlayRepository(root);
  }

  Path root() {
    return root;
  }

  /** Installs {@code dev.kiln:artifactId}: its POM and, unless null, a jar of {@code classes}. */
  void install(String artifactId, Path pom, Path classes) throws IOException {
    Path dir = Files.createDirectories(root.resolve("dev/kiln/" + artifactId + "/" + VERSION));
    String base = artifactId + "-" + VERSION;
    Files.copy(pom, dir.resolve(base + ".pom"), StandardCopyOption.REPLACE_EXISTING);
    if (classes != null) {
      if (!Files.isDirectory(classes)) {
        throw new IllegalStateException(
            classes + " does not exist: build the reactor (mvn -B test) before this test");
      }
      jar(classes, dir.resolve(base + ".jar"));
    }
  }

  private static void jar(Path classes, Path jar) throws IOException {
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream zip = new JarOutputStream(out);
        Stream<Path> files = Files.walk(classes)) {
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        zip.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
        Files.copy(file, zip);
        zip.closeEntry();
      }
    }
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.sorted().toList();
    }
  }
}
