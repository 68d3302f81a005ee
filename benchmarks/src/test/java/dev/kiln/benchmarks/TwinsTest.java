package dev.kiln.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Each DL4J twin is the Kiln model's network: same parameter count, and both train and predict. */
class TwinsTest {

  static Stream<Networks.Network> networks() {
    return Networks.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("networks")
  void twinHasTheKilnModelsParameterCount(Networks.Network network) {
    Networks.Twins twins = network.build().apply(new RandomData(1));

    assertEquals(twins.kiln().parameterCount(), twins.dl4j().parameterCount(), network.title());
  }

  /** One step each, so a twin that builds but cannot train fails here and not in a benchmark run. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("networks")
  void bothTrainAndPredictOnTheBatch(Networks.Network network) {
    if (network.longSequence()) {
      return; // seconds per step; their layers are the short networks' layers
    }
    Networks.Twins twins = network.build().apply(new RandomData(1));

    twins.kiln().trainStep();
    twins.dl4j().trainStep();
    twins.kiln().predict();
    twins.dl4j().predict();
  }
}
