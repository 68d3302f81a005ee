package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

class FreedNativeMemoryTest {

  /** Below glibc's smallest mmap threshold: these blocks come from malloc's heaps. */
  private static final long BLOCK = 100_000;

  private static final long MB = 1L << 20;

  @Test
  void findsJavaCppsTrim() {
    assertTrue(FreedNativeMemory.available(),
        "JavaCPP's private Pointer.trimMemory is gone: large convolutions keep freed memory");
  }

  @Test
  void givesFreedMemoryBack() {
    FreedNativeMemory.forgetLastTrim();
    Pointer held = writtenAndFreedUnder(64 * MB);
    try {
      long before = Pointer.physicalBytes();
      assertTrue(FreedNativeMemory.releaseAbove(0));
      long after = Pointer.physicalBytes();
      assertTrue(before - after >= 48 * MB,
          "a trim gave back " + (before - after) / MB + " MB of 64 MB freed");
    } finally {
      Pointer.free(held);
    }
  }

  @Test
  void leavesGrowthWithinTheMarginAlone() {
    FreedNativeMemory.forgetLastTrim();
    assertTrue(FreedNativeMemory.releaseAbove(96 * MB));
    Pointer held = writtenAndFreedUnder(32 * MB);
    try {
      long before = Pointer.physicalBytes();
      assertFalse(FreedNativeMemory.releaseAbove(96 * MB));
      assertTrue(Pointer.physicalBytes() > before - 16 * MB, "the resident set fell without a trim");
    } finally {
      Pointer.free(held);
    }
  }

  /**
   * Writes and frees {@code bytes} of native memory in small blocks, under one block it returns
   * still allocated, so that free() cannot give the memory back from the top of malloc's heap.
   */
  private static Pointer writtenAndFreedUnder(long bytes) {
    Pointer[] blocks = new Pointer[(int) (bytes / BLOCK)];
    for (int i = 0; i < blocks.length; i++) {
      blocks[i] = Pointer.malloc(BLOCK);
      Pointer.memset(blocks[i], 1, BLOCK);
    }
    Pointer held = Pointer.malloc(BLOCK);
    Pointer.memset(held, 1, BLOCK);
    for (Pointer block : blocks) {
      Pointer.free(block);
    }
    return held;
  }
}
