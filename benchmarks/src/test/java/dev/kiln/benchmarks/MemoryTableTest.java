package dev.kiln.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryTableTest {

  @Test
  void theMlpIsMeasuredInAFreshJvm() throws Exception {
    MemoryTable.Reading mlp = MemoryTable.measure(List.of("mlp")).get(0);
    assertEquals("mlp", mlp.key());
    assertEquals(Networks.BATCH, mlp.batch());
    assertTrue(mlp.loaded() > 0 && mlp.predictPeak() >= mlp.loaded() && mlp.trainPeak() >= mlp.predictPeak(),
        mlp.toString());
    assertTrue(mlp.heapPeak() > 0 && mlp.heapPeak() < mlp.trainPeak(), mlp.toString());
    // Parameters, gradients and Adam's two moments at least: 541,794 values of 4 bytes, 4 times.
    assertTrue(mlp.floor() >= 4L * 4 * 541_794 && mlp.planned() >= mlp.floor(), mlp.toString());
    // Kiln's arrays hold at least what was planned for training (and the prediction buffers).
    assertTrue(mlp.arrays() >= mlp.planned(), mlp.toString());
  }

  @Test
  void aReadingRendersAsARowWithItsRatioToTheFloor() {
    MemoryTable.Reading reading =
        MemoryTable.Reading.parse("memory unet 1 100000000 700000000 1200000000 900000000 880000000 800000000 250000000");
    assertEquals(1.375, reading.overFloor(), 1e-12);
    List<String> lines = MemoryTable.render(List.of(reading), List.of("U-Net"));
    assertEquals(
        "| U-Net | 1 | 100.0 MB | 700.0 MB | 1200.0 MB | 250.0 MB | 900.0 MB | 880.0 MB | 800.0 MB | 1.38 |",
        lines.get(2));
  }

  @Test
  void aModelWithoutAPlanShowsDashes() {
    MemoryTable.Reading reading = MemoryTable.Reading.parse("memory rnn 64 1 2 3 4 -1 -1 5");
    assertTrue(MemoryTable.render(List.of(reading), List.of("Rnn")).get(2).endsWith("| - | - | - |"));
  }

  @Test
  void anotherLineIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> MemoryTable.Reading.parse("timed mlp in 3 s"));
  }
}
