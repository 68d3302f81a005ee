package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
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
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Models built from blocks: their counts, their gradients, shared and transferred weights. */
class BlocksTest {

  private static final int ALL = 1000;

  @Test
  void siameseTowersShareOneSetOfWeightsAndTrainBothUses() {
    SiameseModel model = SiameseModel.create(3, DataType.DOUBLE);
    // One tower's weights (5*4+4 + 4*3+3) and the comparing layer (6+1), as Keras counts them.
    assertEquals(5 * 4 + 4 + 4 * 3 + 3 + 6 + 1, model.parameterCount());
    // towerB's weights are towerA's, listed once, under their owner, as outside blocks.
    assertTrue(java.util.Arrays.stream(SiameseModel.Layers.class.getMethods())
        .noneMatch(method -> method.getName().equals("towerB")));
    INDArray left = RandomArrays.uniform(1, 4, 5);
    INDArray right = RandomArrays.uniform(2, 4, 5);
    INDArray same = RandomArrays.uniform(3, 4, 1).gt(0).castTo(DataType.DOUBLE);
    ModelChecks.assertGradientsMatch(model, () -> model.computeGradients(left, right, same), ALL);
    SiameseModel.Activations activations = model.activations(left, right);
    // The same weights on the same input give the same embedding.
    SiameseModel.Activations twice = model.activations(left, left);
    assertTrue(ModelChecks.sameBits(twice.towerA().embedding(), twice.towerB().embedding()));
    assertArrayEquals(new long[] {4, 4}, activations.towerB().hidden().shape());
    assertSame(activations.towerB().hidden(), activations.get("towerB/hidden"));
  }

  @Test
  void nestedBlocksWithOpenSizesInferEachApplicationsShapesAndBackpropagate() {
    NestedModel model = NestedModel.create(5, DataType.DOUBLE);
    INDArray image = RandomArrays.uniform(6, 3, 6, 6, 2);
    INDArray label = RandomArrays.oneHot(7, 3, 3);
    ModelChecks.assertGradientsMatch(model, () -> model.computeGradients(image, label), ALL,
        parameter -> !parameter.name().startsWith("moving"));
    NestedModel.Activations activations = model.activations(image);
    assertArrayEquals(new long[] {3, 6, 6, 3}, activations.body().second().conv().shape());
    // The same block at stride 2 halves the size where it is applied.
    assertArrayEquals(new long[] {3, 3, 3, 4}, activations.down().conv().shape());
    assertTrue(model.summary().contains("body (Residual)"), model.summary());
    assertTrue(model.summary(true).contains("body/second/conv (Conv2D)"), model.summary(true));
    assertTrue(model.toDot().contains("\"body/first/conv\" -> \"body/first\""), model.toDot());
  }

  @Test
  void aTrainedEncoderLoadsIntoTheClassifierThatAppliesItAndBackOut(@TempDir Path dir)
      throws Exception {
    TrainedEncoderModel encoder = TrainedEncoderModel.create(11, DataType.DOUBLE);
    INDArray features = RandomArrays.uniform(12, 8, 6);
    for (int step = 0; step < 5; step++) {
      encoder.trainStep(features, RandomArrays.uniform(13, 8, 4));
    }
    Path trained = dir.resolve("encoder.kiln");
    encoder.save(trained);

    EncoderClassifierModel classifier = EncoderClassifierModel.create(14, DataType.DOUBLE);
    classifier.loadEncoder(trained);
    assertTrue(ModelChecks.sameBits(encoder.layers().hidden().kernel(),
        classifier.layers().encoder().hidden().kernel()));
    assertTrue(ModelChecks.sameBits(encoder.layers().code().bias(),
        classifier.layers().encoder().code().bias()));
    // The classifier computes the encoder's code as the encoder does.
    assertTrue(ModelChecks.sameBits(encoder.predict(features).code(),
        classifier.activations(features).encoder().code()));
    INDArray label = RandomArrays.oneHot(15, 8, 3);
    ModelChecks.assertGradientsMatch(classifier, () -> classifier.computeGradients(features, label), ALL);

    // Fine-tuned inside the classifier, and saved back out as an encoder.
    for (int step = 0; step < 3; step++) {
      classifier.trainStep(features, label);
    }
    Path tuned = dir.resolve("tuned.kiln");
    classifier.saveEncoder(tuned);
    TrainedEncoderModel reloaded = TrainedEncoderModel.create(99, DataType.DOUBLE);
    reloaded.load(tuned);
    assertTrue(ModelChecks.sameBits(classifier.layers().encoder().hidden().kernel(),
        reloaded.layers().hidden().kernel()));
  }

  @Test
  void resNet50CountsAsKerasApplicationsDo() {
    ResNet50Model model = ResNet50Model.create(1);
    assertEquals(25_636_712, model.parameterCount());
    assertEquals(25_583_592, model.trainableCount());
    assertTrue(model.summary().contains("stage4f (IdentityBlock)"), model.summary());
    assertTrue(model.summary(true).contains("stage3a/shortcut (Conv2D)"));
  }

  @Test
  void resNet50sBlocksAtA32PixelInputTrain() throws Exception {
    String source =
        Files.readString(Path.of("src/main/java/dev/kiln/examples/ResNet50.java"))
            .replace("@Input(shape = {224, 224, 3})", "@Input(shape = {32, 32, 3})")
            .replace("@Dense(units = 1000", "@Dense(units = 4");
    ClassLoader loader =
        InMemoryCompiler.compile(JavaFileObjects.forSourceString("dev.kiln.examples.ResNet50", source));
    Class<?> type = loader.loadClass("dev.kiln.examples.ResNet50Model");
    KilnModel model = (KilnModel) type.getMethod("create", long.class).invoke(null, 5L);
    Method trainStep = type.getMethod("trainStep", INDArray.class, INDArray.class);
    INDArray images = RandomArrays.uniform(8, 4, 32, 32, 3).castTo(DataType.FLOAT);
    INDArray labels = RandomArrays.oneHot(9, 4, 4).castTo(DataType.FLOAT);
    List<Double> losses = new ArrayList<>();
    for (int step = 0; step < 4; step++) {
      losses.add((Double) trainStep.invoke(model, images, labels));
    }
    assertTrue(losses.stream().allMatch(Double::isFinite), losses.toString());
    assertTrue(losses.get(3) < losses.get(0), "loss should fall: " + losses);
  }
}
