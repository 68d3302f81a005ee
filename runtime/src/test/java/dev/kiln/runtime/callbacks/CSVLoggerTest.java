package dev.kiln.runtime.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file Keras' CSVLogger writes for the same logs, byte for byte. */
class CSVLoggerTest {

  @TempDir Path directory;

  @Test
  void writesKerasFormatWithSortedNamesEpochsFromZeroAndCrlf() throws IOException {
    Path file = directory.resolve("training.log");
    CSVLogger logger = new CSVLogger(file);
    logger.onTrainBegin(new StubTraining());
    logger.onEpochEnd(1, logs(0.6931471805599453, 0.5, 0.7, 0.25));
    logger.onEpochEnd(2, logs(0.5, 0.75, 1e-05, Double.NaN));
    logger.onTrainEnd(null);
    assertEquals(
        "epoch,accuracy,loss,val_accuracy,val_loss\r\n"
            + "0,0.5,0.6931471805599453,0.25,0.7\r\n"
            + "1,0.75,0.5,nan,1e-05\r\n",
        Files.readString(file, StandardCharsets.UTF_8));
  }

  @Test
  void aValueMissingFromALaterEpochIsNaAndNewNamesAreLeftOut() throws IOException {
    Path file = directory.resolve("log.csv");
    CSVLogger logger = new CSVLogger(file).separator(';');
    logger.onTrainBegin(new StubTraining());
    logger.onEpochEnd(1, logs(1.0, 0.5, 2.0, 0.25));
    Map<String, Double> partial = new LinkedHashMap<>();
    partial.put("loss", 0.5);
    partial.put("learning_rate", 0.01);
    logger.onEpochEnd(2, partial);
    assertEquals(
        "epoch;accuracy;loss;val_accuracy;val_loss\r\n"
            + "0;0.5;1.0;0.25;2.0\r\n"
            + "1;NA;0.5;NA;NA\r\n",
        Files.readString(file, StandardCharsets.UTF_8));
  }

  @Test
  void appendKeepsTheFileAndItsHeaderAndOverwritingStartsAfresh() throws IOException {
    Path file = directory.resolve("log.csv");
    CSVLogger first = new CSVLogger(file);
    first.onTrainBegin(new StubTraining());
    first.onEpochEnd(1, logs(1.0, 0.5, 2.0, 0.25));
    CSVLogger appending = new CSVLogger(file).append(true);
    appending.onTrainBegin(new StubTraining());
    appending.onEpochEnd(1, logs(0.5, 0.75, 1.0, 0.5));
    String header = "epoch,accuracy,loss,val_accuracy,val_loss\r\n";
    assertEquals(header + "0,0.5,1.0,0.25,2.0\r\n" + "0,0.75,0.5,0.5,1.0\r\n",
        Files.readString(file));

    CSVLogger fresh = new CSVLogger(file);
    fresh.onTrainBegin(new StubTraining());
    fresh.onEpochEnd(1, logs(0.5, 0.75, 1.0, 0.5));
    assertEquals(header + "0,0.75,0.5,0.5,1.0\r\n", Files.readString(file));
  }

  /** Logs in fit's order (loss first), which the file sorts. */
  private static Map<String, Double> logs(
      double loss, double accuracy, double validationLoss, double validationAccuracy) {
    Map<String, Double> logs = new LinkedHashMap<>();
    logs.put("loss", loss);
    logs.put("accuracy", accuracy);
    logs.put("val_loss", validationLoss);
    logs.put("val_accuracy", validationAccuracy);
    return logs;
  }
}
