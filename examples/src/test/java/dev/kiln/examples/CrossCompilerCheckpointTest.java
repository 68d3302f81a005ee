package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.JavaFileObjects;
import dev.kiln.processor.EcjCompiler;
import dev.kiln.runtime.KilnModel;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A model trained from an IDE (Eclipse or VS Code, both compiling with ecj) and the same model
 * built by Maven (javac) are one architecture: a checkpoint saved by either loads into the
 * other. Before Kiln rendered attribute values itself, ecj's {@code dev.kiln.Activation.RELU}
 * against javac's {@code RELU} gave them different fingerprints and each refused the other's
 * checkpoints.
 */
class CrossCompilerCheckpointTest {

  private static final JavaFileObject SOURCE =
      JavaFileObjects.forSourceLines(
          "crosscompiler.Tower",
          "package crosscompiler;",
          "",
          "import dev.kiln.*;",
          "",
          "@Model(optimizer = Optimizer.ADAM)",
          "interface Tower {",
          "  @Input(shape = {6, 6, 1}) Tensor image();",
          "  @Conv2D(filters = 3, kernelSize = 3, padding = Padding.SAME, activation = Activation.RELU)",
          "  Tensor conv(Tensor image);",
          "  @Flatten Tensor flat(Tensor conv);",
          "  @Output(loss = Loss.CATEGORICAL_CROSSENTROPY, metrics = Metric.ACCURACY)",
          "  @Dense(units = 4, activation = Activation.SOFTMAX) Tensor output(Tensor flat);",
          "}");

  @Test
  void checkpointsCrossLoadBetweenJavacAndEcjBuiltModels(@TempDir Path dir) throws Exception {
    Class<?> javacBuilt = InMemoryCompiler.compile(SOURCE).loadClass("crosscompiler.TowerModel");
    EcjCompiler.Result ecj = EcjCompiler.compile(List.of(SOURCE));
    assertTrue(ecj.success(), () -> "ecj failed:\n" + ecj.describe());
    Class<?> ecjBuilt = ecj.loader().loadClass("crosscompiler.TowerModel");
    assertFalse(javacBuilt == ecjBuilt, "two compilations, two classes");

    roundTrip(javacBuilt, ecjBuilt, dir.resolve("from-javac.kiln"));
    roundTrip(ecjBuilt, javacBuilt, dir.resolve("from-ecj.kiln"));
  }

  /** Trains one step with {@code saver}'s model, saves it, and loads it into {@code loader}'s. */
  private static void roundTrip(Class<?> saverType, Class<?> loaderType, Path file)
      throws Exception {
    KilnModel saver = create(saverType, 1);
    saverType
        .getMethod("trainStep", org.nd4j.linalg.api.ndarray.INDArray.class,
            org.nd4j.linalg.api.ndarray.INDArray.class)
        .invoke(saver, Nd4j.rand(2, 6, 6, 1), Nd4j.eye(4).getRows(0, 2));
    saver.save(file);
    KilnModel loaded = create(loaderType, 2);
    assertFalse(ModelChecks.sameBits(saver.parameters(), loaded.parameters()), "other seed");
    loaded.load(file);
    assertTrue(
        ModelChecks.sameBits(saver.parameters(), loaded.parameters()),
        saverType.getClassLoader() + " -> " + loaderType.getClassLoader());
    assertEquals(saver.spec().fingerprint(), loaded.spec().fingerprint());
  }

  private static KilnModel create(Class<?> type, long seed) throws Exception {
    return (KilnModel) type.getMethod("create", long.class).invoke(null, seed);
  }
}
