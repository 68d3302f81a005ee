package dev.kiln.processor;

import static com.google.testing.compile.Compiler.javac;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import javax.tools.JavaFileObject;

/** Model interfaces as test sources, compiled with Kiln's processor. */
final class Sources {

  private static final String IMPORTS =
      String.join(
          "\n",
          "package test;",
          "",
          "import dev.kiln.*;",
          "import static dev.kiln.Activation.*;",
          "import static dev.kiln.Loss.*;",
          "import static dev.kiln.Metric.*;",
          "");

  private Sources() {}

  /** {@code test.Name} with the usual imports followed by {@code lines}. */
  static JavaFileObject model(String name, String... lines) {
    return JavaFileObjects.forSourceString("test." + name, IMPORTS + String.join("\n", lines) + "\n");
  }

  static Compilation compile(JavaFileObject... sources) {
    return javac().withProcessors(new KilnProcessor()).compile(sources);
  }

  /**
   * Whether the runtime this module tests against has the kernel class of this simple name.
   * The recurrent and embedding kernels are written on another branch; until they are merged,
   * models using them pass Kiln's checks but their generated code cannot compile here.
   */
  static boolean runtimeHasKernel(String name) {
    try {
      Class.forName("dev.kiln.runtime.kernels." + name, false, Sources.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
