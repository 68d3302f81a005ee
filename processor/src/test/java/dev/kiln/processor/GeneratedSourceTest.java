package dev.kiln.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * The whole generated class of one small model, pinned: what a user reads when they open the
 * class, from the summary in its Javadoc to the forward and backward passes. Other tests check
 * behaviour; this one makes every change to the generated code a deliberate one. After an
 * intended change, update golden/SmallModel.java from target/generated-test-sources.
 */
class GeneratedSourceTest {

  @Test
  void smallModelGeneratesThePinnedSource() throws IOException {
    JavaFileObject source =
        Sources.model(
            "Small",
            "/** Two dense layers and a softmax. */",
            "@Model(optimizer = Optimizer.ADAM)",
            "interface Small {",
            "  @Input(shape = 4) Tensor input();",
            "  @Dense(units = 8, activation = RELU) Tensor hidden(Tensor input);",
            "  @Dense(units = 5, activation = TANH) Tensor features(Tensor hidden);",
            "  @Output(loss = CATEGORICAL_CROSSENTROPY, metrics = ACCURACY)",
            "  @Dense(units = 3, activation = SOFTMAX) Tensor output(Tensor features);",
            "}");
    Compilation compilation = Sources.compile(source);
    assertThat(compilation).succeededWithoutWarnings();
    // Text for text: the layout is part of what a reader gets.
    assertThat(compilation)
        .generatedSourceFile("test.SmallModel")
        .contentsAsUtf8String()
        .isEqualTo(golden());
  }

  private static String golden() throws IOException {
    try (InputStream in = GeneratedSourceTest.class.getResourceAsStream("/golden/SmallModel.java")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
