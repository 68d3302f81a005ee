package dev.kiln.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Seeded synthetic samples for the Seed networks: 6 features, 3 classes one-hot. */
final class TestSamples {

  private TestSamples() {}

  static List<Sample> of(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Sample> samples = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      double[] x = new double[6];
      for (int j = 0; j < x.length; j++) {
        x[j] = random.nextDouble(-1, 1);
      }
      // A learnable rule, so that training moves the loss: the class of the largest of 3 sums.
      double[] scores = {x[0] + x[1], x[2] - x[3], x[4] * 2 - x[5]};
      int label = scores[0] > scores[1] ? (scores[0] > scores[2] ? 0 : 2) : (scores[1] > scores[2] ? 1 : 2);
      double[] y = new double[3];
      y[label] = 1;
      samples.add(Sample.of(x, y));
    }
    return samples;
  }
}
