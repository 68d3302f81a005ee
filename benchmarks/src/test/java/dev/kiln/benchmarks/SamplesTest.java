package dev.kiln.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SamplesTest {

  @Test
  void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
    assertEquals(2.5, new Samples(new double[] {4, 1, 3, 2}).median(), 1e-12);
  }

  @Test
  void percentilesInterpolateBetweenRanks() {
    Samples samples = new Samples(new double[] {10, 0, 5, 1, 9, 2, 8, 3, 7, 4, 6});

    assertEquals(1, samples.p10(), 1e-12);
    assertEquals(5, samples.median(), 1e-12);
    assertEquals(9, samples.p90(), 1e-12);
  }

  @Test
  void oneSampleIsEveryPercentile() {
    Samples samples = new Samples(new double[] {7});

    assertEquals(7, samples.p10(), 0);
    assertEquals(7, samples.p90(), 0);
  }

  @Test
  void noSamplesIsAnError() {
    assertThrows(IllegalArgumentException.class, () -> new Samples(new double[0]));
  }
}
