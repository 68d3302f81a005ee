package dev.kiln.examples;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import dev.kiln.processor.KilnProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** What javac says about the seed's networks as the seed wrote them. */
class SeedCompileErrorsTest {

  private static final Path SOURCES = Path.of("src/main/java/dev/kiln/examples");

  @Test
  void uNetWithTheSeeds572InputIsRejectedAtTheApplicationThatMerges() throws IOException {
    String unet = Files.readString(SOURCES.resolve("UNet.java"));
    String seed = unet.replace("@Input(shape = {256, 256, 1})", "@Input(shape = {572, 572, 1})");
    JavaFileObject source = JavaFileObjects.forSourceString("dev.kiln.examples.UNet", seed);
    Compilation compilation = javac().withProcessors(new KilnProcessor()).compile(source);
    assertThat(compilation).failed();
    assertThat(compilation).hadErrorCount(1);
    assertThat(compilation)
        .hadErrorContaining(
            "[Kiln/ShapeMismatch] up6/merge concatenates (None, 71, 71, 512) from drop4 <- conv4"
                + " <- conv4/a <- pool3 <- ... with (None, 70, 70, 512) from up6/up <- up6/sampled"
                + " <- drop5 <- conv5 <- ... on axis 3; all other axes must match.")
        .inFile(source)
        .onLineContaining("Tensor up6(");
    // The block's own line is the second location, a note.
    assertThat(compilation)
        .hadNoteContaining("up6 -> merge is declared here")
        .inFile(source)
        .onLineContaining("Tensor merge(Tensor skip, Tensor up)");
    assertThat(compilation)
        .hadErrorContaining(
            "With a 572x572 input, pool3 turns 143 rows into 71 (143 / 2 = 71.5, rounded down);"
                + " use an input side divisible by 16, or @Cropping2D the larger tensor.");
  }

  @Test
  void seedCnnCompilesWithAWarningOnItsDenseAfterPooling() throws IOException {
    JavaFileObject source =
        JavaFileObjects.forSourceString(
            "dev.kiln.examples.Cnn", Files.readString(SOURCES.resolve("Cnn.java")));
    Compilation compilation = javac().withProcessors(new KilnProcessor()).compile(source);
    assertThat(compilation).succeeded();
    assertThat(compilation).hadWarningCount(1);
    assertThat(compilation)
        .hadWarningContaining(
            "[Kiln/DenseOnLastAxis] hidden1 is a Dense layer on the rank-4 tensor (None, 4, 4, 64)"
                + " from pool2 <- conv2 <- pool1 <- conv1 <- ...: it acts on the last axis only and"
                + " outputs (None, 4, 4, 64), as in Keras; add @Flatten before it")
        .inFile(source)
        .onLineContaining("@Dense(units = 64, activation = RELU)");
  }

}
