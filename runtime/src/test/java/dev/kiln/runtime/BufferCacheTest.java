package dev.kiln.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BufferCacheTest {

  /** Records every batch size it is asked to create buffers for. */
  private final List<Long> created = new ArrayList<>();

  private final BufferCache<Object> cache = new BufferCache<>();

  private Object get(long batchSize) {
    return cache.get(
        batchSize,
        size -> {
          created.add(size);
          return new Object();
        });
  }

  @Test
  void alternatingFullAndLastBatchSizesCreatesOnlyTwoBuffers() {
    Object full = get(32);
    Object last = get(16);
    for (int epoch = 0; epoch < 5; epoch++) {
      for (int step = 0; step < 3; step++) {
        assertSame(full, get(32), "full batch, epoch " + epoch);
      }
      assertSame(last, get(16), "last batch, epoch " + epoch);
    }
    assertEquals(List.of(32L, 16L), created);
  }

  @Test
  void aThirdSizeEvictsTheLeastRecentlyUsed() {
    get(32);
    Object small = get(16);
    get(8);
    assertSame(small, get(16), "16 was used more recently than 32");
    assertEquals(List.of(32L, 16L, 8L), created);
    get(32);
    assertEquals(List.of(32L, 16L, 8L, 32L), created, "32 was evicted by 8");
  }

  @Test
  void peekFindsEitherCachedSizeAndCreatesNothing() {
    Object full = get(32);
    Object last = get(16);
    assertSame(full, cache.peek(32));
    assertSame(last, cache.peek(16));
    assertNull(cache.peek(8));
    assertEquals(List.of(32L, 16L), created);
    assertSame(last, get(16), "peek did not change which size is the least recent");
    get(8);
    assertNull(cache.peek(32), "32 was evicted by 8");
  }

  @Test
  void sameSizeTwiceCreatesOnce() {
    assertSame(get(5), get(5));
    assertEquals(List.of(5L), created);
  }
}
