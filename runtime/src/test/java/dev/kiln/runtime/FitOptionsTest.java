package dev.kiln.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FitOptionsTest {

  @Test
  void defaultsAreKeras() {
    FitOptions options = FitOptions.epochs(3);
    assertEquals(3, options.epochs());
    assertEquals(32, options.batchSize());
    assertTrue(options.shuffle());
    assertEquals(0, options.seed());
    assertEquals(0.0, options.validationSplit());
    assertFalse(options.hasValidationData());
    assertEquals(Verbosity.AUTO, options.verbosity());
    assertSame(System.out, options.out());
    assertEquals(List.of(), options.callbacks());
  }

  @Test
  void settersReturnChangedCopiesAndLeaveTheOriginal() {
    FitOptions original = FitOptions.epochs(2);
    PrintStream out = new PrintStream(new ByteArrayOutputStream());
    FitOptions changed =
        original
            .batchSize(64)
            .shuffle(false)
            .seed(7)
            .validationSplit(0.2)
            .verbosity(Verbosity.SILENT)
            .printTo(out)
            .withEpochs(5);
    assertEquals(5, changed.epochs());
    assertEquals(64, changed.batchSize());
    assertEquals(false, changed.shuffle());
    assertEquals(7, changed.seed());
    assertEquals(0.2, changed.validationSplit());
    assertEquals(Verbosity.SILENT, changed.verbosity());
    assertSame(out, changed.out());

    assertEquals(2, original.epochs());
    assertEquals(32, original.batchSize());
    assertTrue(original.shuffle());
    assertEquals(0, original.seed());
    assertEquals(0.0, original.validationSplit());
    assertEquals(Verbosity.AUTO, original.verbosity());
    assertSame(System.out, original.out());
  }

  @Test
  void callbacksAccumulateInOrderWithoutChangingTheOriginal() {
    Callback first = new Callback() {};
    Callback second = new Callback() {};
    FitOptions one = FitOptions.epochs(1).callbacks(first);
    FitOptions two = one.callbacks(second);
    assertEquals(List.of(first), one.callbacks());
    assertEquals(List.of(first, second), two.callbacks());
  }

  @Test
  void classWeightsAndLearningRateAreKeptInCopies() {
    FitOptions options = FitOptions.epochs(1);
    FitOptions weighted = options.classWeights(1, 5).learningRate(0.01);
    assertEquals(Map.of(0, 1.0, 1, 5.0), weighted.classWeights());
    assertEquals(0.01, weighted.learningRate().getAsDouble());
    assertEquals(Map.of(), options.classWeights());
    assertTrue(options.learningRate().isEmpty());
    assertEquals(Map.of(2, 0.5), options.classWeights(Map.of(2, 0.5)).classWeights());
  }

  @Test
  void badClassWeightsAndLearningRatesAreRejectedNamingTheValue() {
    FitOptions options = FitOptions.epochs(1);
    assertMessage(() -> options.classWeights(Map.of(-1, 2.0)), "-1");
    assertMessage(() -> options.classWeights(1, Double.NaN), "class 1", "NaN");
    assertMessage(() -> options.classWeights(-2, 1), "class 0", "-2");
    assertMessage(() -> options.classWeights(Double.POSITIVE_INFINITY), "Infinity");
    for (double rate : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertMessage(() -> options.learningRate(rate), "learning rate", String.valueOf(rate));
    }
  }

  private static void assertMessage(Runnable call, String... words) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
    for (String word : words) {
      assertTrue(e.getMessage().contains(word), e.getMessage());
    }
  }

  @Test
  void invalidValuesAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> FitOptions.epochs(0));
    assertThrows(IllegalArgumentException.class, () -> FitOptions.epochs(1).batchSize(0));
    for (double split : new double[] {-0.1, 1.0, Double.NaN}) {
      assertThrows(
          IllegalArgumentException.class,
          () -> FitOptions.epochs(1).validationSplit(split),
          "split " + split);
    }
  }
}
