package dev.kiln.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Keras' progress bar output, with timings matched by pattern only. */
class ProgressBarTest {

  /** {@code 1s 12ms/step}: whole seconds, then the time per step in s, ms or us. */
  private static final String TIMING = "\\d+s \\d+(?:s|ms|us)/step";

  /** A terminal wide enough for Keras' layout with its 30-cell bar. */
  private static final int WIDE = 200;

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  private String output() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static Map<String, Double> values(double loss, double accuracy) {
    Map<String, Double> values = new LinkedHashMap<>();
    values.put("loss", loss);
    values.put("accuracy", accuracy);
    return values;
  }

  @Test
  void notLivePrintsOnlyOneSummaryLinePerEpoch() {
    ProgressBar bar = new ProgressBar(out, 79, false, WIDE);
    for (int step = 1; step <= 79; step++) {
      bar.update(step, values(1.0 / step, 0.5));
    }
    assertEquals("", output(), "updates print nothing when not live");
    bar.finish(values(0.82734, 0.70861));
    String line = output();
    assertTrue(
        Pattern.matches("79/79 - " + TIMING + " - loss: 0\\.8273 - accuracy: 0\\.7086\n", line),
        "line: " + line.replace("\r", "\\r").replace("\n", "\\n"));
  }

  @Test
  void liveUpdateRedrawsTheLineWithBarEtaAndValues() {
    ProgressBar bar = new ProgressBar(out, 10, true, WIDE);
    bar.update(3, values(0.5, 0.25));
    // Keras: 3 of 10 steps fill int(30 * 0.3) = 9 cells, the last of them '>'.
    String expectedBar = "\\[" + "=".repeat(8) + ">" + "\\.".repeat(21) + "\\]";
    String line = output();
    assertTrue(
        Pattern.matches(
            "\r 3/10 " + expectedBar + " - ETA: \\d+s - loss: 0\\.5000 - accuracy: 0\\.2500", line),
        "line: " + line.replace("\r", "\\r"));
  }

  @Test
  void liveCounterIsPaddedToTheWidthOfTheStepCount() {
    ProgressBar bar = new ProgressBar(out, 469, true, WIDE);
    bar.update(57, values(0.8012, 0.7221));
    // int(30 * 57 / 469) = 3 cells: "==>" and 27 dots.
    String expected = "\r 57/469 [==>" + ".".repeat(27) + "] - ETA: ";
    assertTrue(output().startsWith(expected), "line: " + output().replace("\r", "\\r"));
  }

  @Test
  void liveFinishDrawsAFullBarAndEndsTheLine() {
    ProgressBar bar = new ProgressBar(out, 10, true, WIDE);
    bar.update(10, values(0.5, 0.25));
    bar.finish(values(0.51234, 0.81234));
    String line = output();
    assertTrue(
        Pattern.matches(
            "\r10/10 \\[={30}\\] - " + TIMING + " - loss: 0\\.5123 - accuracy: 0\\.8123\n", line),
        "line: " + line.replace("\r", "\\r").replace("\n", "\\n"));
  }

  @Test
  void unknownStepCountIsCountedAgainstUnknownThenFinishedWithTheStepsSeen() {
    ProgressBar bar = new ProgressBar(out, -1, true, WIDE);
    bar.update(7, values(0.5, 0.25));
    String live = output();
    assertTrue(
        Pattern.matches("\r      7/Unknown - " + TIMING + " - loss: 0\\.5000 - accuracy: 0\\.2500",
            live),
        "line: " + live.replace("\r", "\\r"));
    bar.finish(values(0.5, 0.25));
    String last = output().substring(live.length());
    assertTrue(last.startsWith("\r7/7 [" + "=".repeat(30) + "] - "),
        "line: " + last.replace("\r", "\\r"));
  }

  @Test
  void finishAfterAStopShowsTheStepsTaken() {
    ProgressBar bar = new ProgressBar(out, 10, false, WIDE);
    for (int step = 1; step <= 3; step++) {
      bar.update(step, values(0.5, 0.25));
    }
    bar.finish(values(0.5, 0.25));
    assertTrue(output().startsWith(" 3/10 - "), output());
  }

  @Test
  void interruptEndsALiveLineOnlyIfOneIsDrawn() {
    ProgressBar bar = new ProgressBar(out, 10, true, WIDE);
    bar.interrupt();
    assertEquals("", output());
    bar.update(3, values(0.5, 0.25));
    bar.interrupt();
    assertTrue(output().endsWith("\n"), output());
    bar.interrupt();
    assertEquals(1, output().chars().filter(c -> c == '\n').count(), output());
  }

  @Test
  void liveUpdateOfTheLastStepLeavesTheLineToFinish() {
    ProgressBar bar = new ProgressBar(out, 10, true, WIDE);
    bar.update(10, values(0.5, 0.25));
    assertEquals("", output());
  }

  @Test
  void liveRedrawsAtMostTenTimesASecond() {
    ProgressBar bar = new ProgressBar(out, 10, true, WIDE);
    long start = System.nanoTime();
    bar.update(1, values(0.5, 0.25));
    bar.update(2, values(0.5, 0.25));
    // Only meaningful if both calls fell within 100 ms.
    assumeTrue(System.nanoTime() - start < 100_000_000L);
    assertEquals(1, output().chars().filter(c -> c == '\r').count(), output().replace("\r", "\\r"));
    assertTrue(output().startsWith("\r 1/10 "), output().replace("\r", "\\r"));
  }

  /** A model with two outputs, as its running values name them. */
  private static Map<String, Double> twoOutputs() {
    Map<String, Double> values = new LinkedHashMap<>();
    for (String name :
        new String[] {"loss", "output1_loss", "output2_loss", "output1_accuracy",
            "output2_accuracy"}) {
      values.put(name, 0.5);
    }
    return values;
  }

  @Test
  void aLiveLineFitsA100ColumnTerminal() {
    // Wider than the terminal, each redraw would leave the rows above its last one behind.
    ProgressBar bar = new ProgressBar(out, 469, true, 100);
    bar.update(57, twoOutputs());
    String line = output();
    assertTrue(line.length() - 1 <= 99, "too long: " + line.length() + ": " + line);
    // int(10 * 57 / 469) = 1 cell of the narrowest bar.
    assertTrue(line.startsWith("\r 57/469 [>" + ".".repeat(9) + "] - ETA: "), line);
    assertTrue(line.contains("output1_loss: 0.5000"), line);
  }

  @Test
  void theBarNarrowsBeforeNamesAreAbbreviated() {
    ProgressBar bar = new ProgressBar(out, 10, true, 70);
    bar.update(5, values(0.5, 0.25));
    String line = output();
    // 70 columns leave 69 characters; all but the bar take 52, so the bar gets 17 cells, of
    // which int(17 * 5 / 10) = 8 are done, and the names stay whole.
    assertTrue(
        Pattern.matches(
            "\r 5/10 \\[={7}>\\.{9}\\] - ETA: \\d+s - loss: 0\\.5000 - accuracy: 0\\.2500", line),
        line);
  }

  @Test
  void theEpochsLastLineKeepsKerasLayoutAndEveryScore() {
    ProgressBar bar = new ProgressBar(out, 10, true, 100);
    Map<String, Double> values = twoOutputs();
    values.put("val_loss", 0.5);
    values.put("val_output1_accuracy", 0.5);
    bar.update(10, values);
    bar.finish(values);
    String line = output();
    assertTrue(line.startsWith("\r10/10 [" + "=".repeat(30) + "] - "), line);
    assertTrue(line.endsWith(" - val_loss: 0.5000 - val_output1_accuracy: 0.5000\n"), line);
  }
}
