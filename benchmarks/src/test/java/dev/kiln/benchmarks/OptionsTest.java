package dev.kiln.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptionsTest {

  @Test
  void networksComeInTableOrder() {
    Options options = Options.parse("--networks", "rnnrows,MLP");

    assertEquals(List.of("mlp", "rnnrows"), options.networks());
  }

  @Test
  void theDefaultLeavesOutOnlyThe784StepPlainLstm() {
    List<String> networks = Options.parse().networks();

    assertEquals(Networks.all().size() - 1, networks.size());
    assertTrue(!networks.contains("rnn"));
    assertEquals(Networks.all().size(), Options.parse("--networks", "all").networks().size());
  }

  @Test
  void theEncoderBlockIsOneOfTheNetworks() {
    assertTrue(Options.parse().networks().contains("encoder"));
    assertEquals(List.of("encoder"), Options.parse("--networks", "encoder").networks());
  }

  @Test
  void anUnknownNetworkIsNamedWithTheKnownOnes() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--networks", "lenet"));

    assertTrue(e.getMessage().contains("no network 'lenet'"), e.getMessage());
    assertTrue(e.getMessage().contains("mlp"), e.getMessage());
  }

  @Test
  void settingsAreSemicolonSeparatedAssignments() {
    Options options = Options.parse("--settings", "OMP_NUM_THREADS=1,OMP_WAIT_POLICY=PASSIVE;OMP_NUM_THREADS=2");

    assertEquals(
        List.of(Map.of("OMP_NUM_THREADS", "1", "OMP_WAIT_POLICY", "PASSIVE"), Map.of("OMP_NUM_THREADS", "2")),
        options.settings());
  }

  @Test
  void eachChildRunsTheOptionsWithoutTheSettings() {
    String[] args = {"--steps", "3", "--settings", "OMP_NUM_THREADS=1", "", "--networks", "mlp"};

    assertEquals(List.of("--steps", "3", "--networks", "mlp"), Options.parse(args).withoutSettings(args));
  }

  @Test
  void stepCountsMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> Options.parse("--steps", "0"));
    assertThrows(IllegalArgumentException.class, () -> Options.parse("--steps", "many"));
  }

  @Test
  void longSequenceModelsWarmUpOnce() {
    Networks.Network mlp = Networks.all().get(0);
    Networks.Network longOne =
        Networks.all().stream().filter(Networks.Network::longSequence).findFirst().orElseThrow();
    Options options = Options.parse("--warmup", "5", "--steps", "20", "--long-steps", "4");

    assertEquals(5, options.warmupFor(mlp));
    assertEquals(1, options.warmupFor(longOne));
    assertEquals(20, options.stepsFor(mlp));
    assertEquals(4, options.stepsFor(longOne));
  }
}
