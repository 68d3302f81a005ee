package dev.kiln.benchmarks;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ResidentMemoryTest {

  @Test
  void readsThisJvmsResidentMemoryOnLinux() {
    assumeTrue(Files.exists(Path.of("/proc/self/statm")), "Linux only");
    long resident = ResidentMemory.resident();
    assertTrue(resident > (16L << 20), "a JVM holds more than 16 MB: " + resident);
    assertTrue(resident < Runtime.getRuntime().maxMemory() * 4 + (8L << 30),
        "resident bytes, not pages or kilobytes: " + resident);
  }
}
