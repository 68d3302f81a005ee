package dev.kiln.spark;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.examples.MlpModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spark-submit entry point, run in-process on local[2] on the examples' subset. */
class TrainOnSparkTest {

  private static final Path SUBSET =
      Path.of("../examples/src/main/resources/dev/kiln/examples/fashion-mnist-subset");

  @Test
  void trainsTheExamplesMlpAndWritesACheckpointOnTheDriver(@TempDir Path dir) throws Exception {
    LocalSpark.stop(); // the entry point makes its own context
    Path checkpoint = dir.resolve("mlp.kiln");
    PrintStream out = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setProperty("spark.master", "local[2]");
    System.setProperty("spark.ui.enabled", "false");
    try {
      System.setOut(new PrintStream(printed, true));
      TrainOnSpark.main(new String[] {"--model", "dev.kiln.examples.MlpModel",
          "--data", SUBSET.toString(), "--epochs", "1", "--batch", "500", "--save",
          checkpoint.toString()});
    } finally {
      System.setOut(out);
      System.clearProperty("spark.master");
      System.clearProperty("spark.ui.enabled");
    }
    String text = printed.toString();
    System.out.println(text);
    assertTrue(text.contains("Epoch 1/1") && text.contains("val_accuracy"), text);
    assertTrue(Files.size(checkpoint) > 4 * 541_794, "the checkpoint holds the parameters");
    MlpModel.create(1).load(checkpoint); // of the right architecture
  }
}
