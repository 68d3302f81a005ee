package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.JavaFileObjects;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.testing.RandomArrays;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The seed's U-Net, unchanged but for a 64x64 input (a side divisible by 16, small enough to train
 * in a test), learns synthetic masks: its loss on a batch falls over a few steps.
 */
class UNetTrainingTest {

  @Test
  void seedUNetAt64PixelsLearnsSyntheticMasks() throws Exception {
    String source =
        Files.readString(Path.of("src/main/java/dev/kiln/examples/UNet.java"))
            .replace("@Input(shape = {256, 256, 1})", "@Input(shape = {64, 64, 1})");
    ClassLoader loader =
        InMemoryCompiler.compile(JavaFileObjects.forSourceString("dev.kiln.examples.UNet", source));
    Class<?> type = loader.loadClass("dev.kiln.examples.UNetModel");
    KilnModel model = (KilnModel) type.getMethod("create", long.class).invoke(null, 5L);
    assertEquals(31_031_685, model.parameterCount());
    Method trainStep = type.getMethod("trainStep", INDArray.class, INDArray.class);

    // Bright blobs on a dark background; the mask marks the bright pixels.
    INDArray images = RandomArrays.uniform(6, 2, 64, 64, 1).addi(1).divi(2).castTo(DataType.FLOAT);
    INDArray masks = images.gt(0.6).castTo(DataType.FLOAT);
    List<Double> losses = new ArrayList<>();
    for (int step = 0; step < 6; step++) {
      model.seedNoise(step);
      losses.add((Double) trainStep.invoke(model, images, masks));
    }
    System.out.println("U-Net (64x64) training losses: " + losses);
    assertTrue(losses.stream().allMatch(Double::isFinite), losses.toString());
    assertTrue(losses.get(5) < losses.get(0), "loss should fall: " + losses);
  }
}
