package dev.kiln.processor;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.annotation.processing.Processor;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import org.eclipse.jdt.internal.compiler.tool.EclipseCompiler;

/**
 * Compiles sources with the Eclipse compiler (ecj, the compiler of Eclipse and of VS Code's Java
 * tools) and annotation processors in this JVM: the counterpart of compile-testing's
 * {@code javac()}, for checking that Kiln behaves the same under both compilers.
 *
 * <p>ecj writes to files, so each compilation gets its own temporary directory holding the
 * sources, the generated sources and the classes; {@link Result#loader()} loads the classes.
 */
public final class EcjCompiler {

  private EcjCompiler() {}

  /** What one ecj compilation produced. */
  public record Result(
      boolean success,
      List<Diagnostic<? extends JavaFileObject>> diagnostics,
      Map<String, String> generatedSources,
      Path classes) {

    /** The error diagnostics. */
    public List<Diagnostic<? extends JavaFileObject>> errors() {
      return diagnostics.stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR).toList();
    }

    /** Every diagnostic as {@code KIND: message}, one a line, for assertion messages. */
    public String describe() {
      return diagnostics.stream()
          .map(d -> d.getKind() + " line " + d.getLineNumber() + ": " + d.getMessage(null))
          .collect(Collectors.joining("\n"));
    }

    /** The source of the generated type with this qualified name. */
    public String generatedSource(String qualifiedName) {
      String source = generatedSources.get(qualifiedName);
      if (source == null) {
        throw new AssertionError(
            "ecj generated no " + qualifiedName + "; generated: " + generatedSources.keySet()
                + "\n" + describe());
      }
      return source;
    }

    /** A class loader over the compiled classes, whose parent is the test's class loader. */
    public ClassLoader loader() {
      try {
        return new URLClassLoader(
            new URL[] {classes.toUri().toURL()}, EcjCompiler.class.getClassLoader());
      } catch (MalformedURLException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Compiles {@code sources} at Java 17 with Kiln's processor. */
  public static Result compile(List<JavaFileObject> sources) {
    return compile(sources, List.of(new KilnProcessor()));
  }

  /** Compiles {@code sources} at Java 17 with {@code processors}, whatever the outcome. */
  public static Result compile(List<JavaFileObject> sources, List<Processor> processors) {
    try {
      Path root = Files.createTempDirectory("kiln-ecj");
      Path sourceDir = Files.createDirectories(root.resolve("src"));
      Path generatedDir = Files.createDirectories(root.resolve("generated"));
      Path classDir = Files.createDirectories(root.resolve("classes"));
      List<File> files = new ArrayList<>();
      for (JavaFileObject source : sources) {
        files.add(write(sourceDir, source));
      }
      JavaCompiler ecj = new EclipseCompiler();
      DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
      boolean success;
      try (StandardJavaFileManager fileManager =
          ecj.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
        List<String> options =
            List.of(
                "--release", "17",
                "-encoding", "UTF-8",
                "-classpath", classPath(),
                "-d", classDir.toString(),
                "-s", generatedDir.toString());
        JavaCompiler.CompilationTask task =
            ecj.getTask(
                Writer.nullWriter(),
                fileManager,
                diagnostics,
                options,
                null,
                fileManager.getJavaFileObjectsFromFiles(files));
        task.setProcessors(processors);
        success = task.call();
      }
      return new Result(success, diagnostics.getDiagnostics(), read(generatedDir), classDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes a source where its package says, so ecj reports the usual file names. */
  private static File write(Path sourceDir, JavaFileObject source) throws IOException {
    String text = source.getCharContent(true).toString();
    String name = source.toUri().getPath();
    name = name.substring(name.lastIndexOf('/') + 1);
    Path file = sourceDir.resolve(packageOf(text).replace('.', '/')).resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file.toFile();
  }

  private static String packageOf(String source) {
    for (String line : source.split("\n")) {
      String trimmed = line.trim();
      if (trimmed.startsWith("package ")) {
        return trimmed.substring("package ".length(), trimmed.indexOf(';')).trim();
      }
    }
    return "";
  }

  /** Generated sources by qualified type name. */
  private static Map<String, String> read(Path generatedDir) throws IOException {
    Map<String, String> sources = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(generatedDir)) {
      for (Path file : walk.filter(p -> p.toString().endsWith(".java")).toList()) {
        String relative = generatedDir.relativize(file).toString();
        String name = relative.substring(0, relative.length() - ".java".length())
            .replace(File.separatorChar, '.');
        sources.put(name, Files.readString(file, StandardCharsets.UTF_8));
      }
    }
    return sources;
  }

  /**
   * This JVM's class path with the {@code Class-Path} of manifest-only jars (Surefire's booter)
   * spelled out, so ecj sees the same libraries as the test.
   */
  private static String classPath() throws IOException {
    Set<String> entries = new LinkedHashSet<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      entries.add(entry);
      if (entry.endsWith(".jar") && new File(entry).isFile()) {
        try (JarFile jar = new JarFile(entry)) {
          Manifest manifest = jar.getManifest();
          String linked = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
          if (linked != null) {
            URI base = new File(entry).getParentFile().toURI();
            for (String url : linked.trim().split("\\s+")) {
              entries.add(Path.of(base.resolve(url)).toString());
            }
          }
        }
      }
    }
    return String.join(File.pathSeparator, entries);
  }
}
