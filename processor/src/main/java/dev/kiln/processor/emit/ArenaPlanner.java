package dev.kiln.processor.emit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Places buffers in one arena so that buffers whose lifetimes do not overlap share memory.
 * Greedy by size: the largest buffer first, each at the lowest offset where it overlaps no
 * buffer already placed that is live at the same time. Sizes are in values; every offset is a
 * multiple of {@link #ALIGNMENT} values, so a view starts on a 64-byte boundary in float32.
 */
final class ArenaPlanner {

  /** Values an offset is a multiple of. */
  static final long ALIGNMENT = 16;

  /**
   * A buffer and the steps it is live in, both ends included: it is written at {@code first} and
   * read last at {@code last}. Two buffers live at one step must not share memory.
   */
  record Lifetime(String name, long size, int first, int last) {
    Lifetime {
      if (size < 0 || first > last) {
        throw new IllegalArgumentException(
            name + ": a lifetime needs a size of at least 0 and first <= last, not " + size + " from "
                + first + " to " + last);
      }
    }

    boolean overlaps(Lifetime other) {
      return first <= other.last && other.first <= last;
    }
  }

  /** Where a buffer starts in the arena, in values. */
  record Placement(Lifetime lifetime, long offset) {
    long end() {
      return offset + aligned(lifetime.size());
    }
  }

  /** The placements, in the order the lifetimes were given, and the arena's length in values. */
  record Plan(List<Placement> placements, long length) {}

  private ArenaPlanner() {}

  static Plan plan(List<Lifetime> lifetimes) {
    List<Lifetime> bySize = new ArrayList<>(lifetimes);
    bySize.sort(Comparator.comparingLong(Lifetime::size).reversed()
        .thenComparingInt(Lifetime::first));
    List<Placement> placed = new ArrayList<>();
    long length = 0;
    for (Lifetime lifetime : bySize) {
      Placement placement = new Placement(lifetime, lowestFreeOffset(lifetime, placed));
      placed.add(placement);
      length = Math.max(length, placement.end());
    }
    List<Placement> inOrder = new ArrayList<>();
    for (Lifetime lifetime : lifetimes) {
      inOrder.add(placed.stream().filter(p -> p.lifetime() == lifetime).findFirst().orElseThrow());
    }
    return new Plan(inOrder, length);
  }

  /** The largest number of values live at any one step: no arrangement of these lifetimes fits in less. */
  static long peakLive(List<Lifetime> lifetimes) {
    long peak = 0;
    for (Lifetime at : lifetimes) {
      // The live set only grows at a lifetime's first step, so those steps are enough to check.
      long live = 0;
      for (Lifetime other : lifetimes) {
        if (other.first() <= at.first() && at.first() <= other.last()) {
          live += other.size();
        }
      }
      peak = Math.max(peak, live);
    }
    return peak;
  }

  static long aligned(long size) {
    return (size + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
  }

  private static long lowestFreeOffset(Lifetime lifetime, List<Placement> placed) {
    List<Placement> conflicts = new ArrayList<>();
    for (Placement placement : placed) {
      if (placement.lifetime().overlaps(lifetime)) {
        conflicts.add(placement);
      }
    }
    conflicts.sort(Comparator.comparingLong(Placement::offset));
    long offset = 0;
    long size = aligned(lifetime.size());
    for (Placement conflict : conflicts) {
      if (offset + size <= conflict.offset()) {
        return offset;
      }
      offset = Math.max(offset, conflict.end());
    }
    return offset;
  }
}
