package dev.kiln.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
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
    assertEquals(null, options.validationData());
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
