package dev.kiln.examples;

import static com.google.testing.compile.Compiler.javac;

import com.google.testing.compile.Compilation;
import dev.kiln.processor.KilnProcessor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;

/**
 * Compiles model interfaces with Kiln's processor in this JVM and loads the generated classes,
 * so tests can run models whose source they write or change.
 */
final class InMemoryCompiler {

  private InMemoryCompiler() {}

  /** Compiles {@code sources}; fails with javac's diagnostics unless compilation succeeds. */
  static ClassLoader compile(JavaFileObject... sources) {
    Compilation compilation = run(List.of(sources));
    if (compilation.status() != Compilation.Status.SUCCESS) {
      StringBuilder errors = new StringBuilder();
      for (Diagnostic<? extends JavaFileObject> diagnostic : compilation.errors()) {
        errors.append(diagnostic.getMessage(null)).append('\n');
      }
      throw new AssertionError("compilation failed:\n" + errors);
    }
    return load(compilation);
  }

  /** Runs javac with Kiln's processor on {@code sources}, whatever the outcome. */
  static Compilation run(List<JavaFileObject> sources) {
    return javac().withProcessors(new KilnProcessor()).compile(sources);
  }

  /** A class loader for the classes a successful compilation wrote. */
  static ClassLoader load(Compilation compilation) {
    Map<String, byte[]> classes = new HashMap<>();
    for (JavaFileObject file : compilation.generatedFiles()) {
      if (file.getKind() == JavaFileObject.Kind.CLASS) {
        // Names look like /CLASS_OUTPUT/dev/kiln/examples/UNetModel.class
        String path = file.toUri().getPath();
        String name = path.substring(path.indexOf('/', 1) + 1, path.length() - ".class".length())
            .replace('/', '.');
        try (InputStream in = file.openInputStream()) {
          classes.put(name, in.readAllBytes());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return new ClassLoader(InMemoryCompiler.class.getClassLoader()) {
      @Override
      protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
          byte[] bytes = classes.remove(name);
          if (bytes != null) {
            return defineClass(name, bytes, 0, bytes.length);
          }
          Class<?> loaded = findLoadedClass(name);
          return loaded != null ? loaded : super.loadClass(name, resolve);
        }
      }
    };
  }
}
