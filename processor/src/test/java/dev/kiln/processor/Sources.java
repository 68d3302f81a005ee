package dev.kiln.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.io.IOException;
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

  /**
   * The generated source of an Adam-trained model {@code Net} with an input of {@code shape}
   * (such as {@code "{5, 4}"}) and {@code layers} after it; the compilation must succeed.
   */
  static String generatedModel(String shape, String... layers) throws IOException {
    String[] lines = new String[layers.length + 4];
    lines[0] = "@Model(optimizer = Optimizer.ADAM)";
    lines[1] = "interface Net {";
    lines[2] = "  @Input(shape = " + shape + ") Tensor input();";
    System.arraycopy(layers, 0, lines, 3, layers.length);
    lines[layers.length + 3] = "}";
    Compilation compilation = compile(model("Net", lines));
    assertThat(compilation).succeeded();
    return compilation.generatedSourceFile("test.NetModel").orElseThrow()
        .getCharContent(false).toString();
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
