package dev.kiln.processor.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.processor.emit.ArenaPlanner.Lifetime;
import dev.kiln.processor.emit.ArenaPlanner.Placement;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ArenaPlannerTest {

  @Test
  void buffersLiveAtDifferentStepsShareMemory() {
    ArenaPlanner.Plan plan = ArenaPlanner.plan(List.of(
        new Lifetime("a", 64, 0, 1), new Lifetime("b", 64, 2, 3), new Lifetime("c", 32, 4, 4)));
    assertEquals(64, plan.length());
    for (Placement placement : plan.placements()) {
      assertEquals(0, placement.offset(), placement.lifetime().name());
    }
  }

  @Test
  void buffersLiveAtOneStepDoNotOverlap() {
    // b is read at the step a is written: both ends count.
    ArenaPlanner.Plan plan = ArenaPlanner.plan(List.of(
        new Lifetime("a", 64, 0, 1), new Lifetime("b", 32, 1, 2)));
    assertEquals(96, plan.length());
    assertEquals(0, plan.placements().get(0).offset());
    assertEquals(64, plan.placements().get(1).offset());
  }

  @Test
  void aSmallBufferFillsAGapBetweenLargerOnes() {
    // a and c are live throughout; b, then d, live between them at a's end.
    ArenaPlanner.Plan plan = ArenaPlanner.plan(List.of(
        new Lifetime("a", 128, 0, 9), new Lifetime("b", 64, 0, 4),
        new Lifetime("c", 128, 0, 9), new Lifetime("d", 48, 5, 9)));
    assertEquals(128 + 128 + 64, plan.length());
    assertEquals(plan.placements().get(1).offset(), plan.placements().get(3).offset());
  }

  @Test
  void offsetsAreAligned() {
    ArenaPlanner.Plan plan = ArenaPlanner.plan(List.of(
        new Lifetime("a", 5, 0, 0), new Lifetime("b", 3, 0, 0), new Lifetime("c", 17, 0, 0)));
    for (Placement placement : plan.placements()) {
      assertEquals(0, placement.offset() % ArenaPlanner.ALIGNMENT, placement.lifetime().name());
    }
    assertEquals(32 + 16 + 16, plan.length());
    assertEquals(5 + 3 + 17, ArenaPlanner.peakLive(plan.placements().stream().map(Placement::lifetime).toList()));
  }

  @Test
  void randomLifetimesNeverShareMemoryWhileBothLiveAndNeedNoMoreThanTwiceThePeak() {
    SplittableRandom random = new SplittableRandom(7);
    for (int trial = 0; trial < 200; trial++) {
      List<Lifetime> lifetimes = new ArrayList<>();
      int count = 1 + random.nextInt(30);
      for (int i = 0; i < count; i++) {
        int first = random.nextInt(20);
        lifetimes.add(new Lifetime("b" + i, 16L * (1 + random.nextInt(64)), first,
            first + random.nextInt(8)));
      }
      ArenaPlanner.Plan plan = ArenaPlanner.plan(lifetimes);
      List<Placement> placements = plan.placements();
      for (int i = 0; i < placements.size(); i++) {
        Placement p = placements.get(i);
        assertTrue(p.end() <= plan.length());
        for (int j = i + 1; j < placements.size(); j++) {
          Placement q = placements.get(j);
          boolean disjoint = p.end() <= q.offset() || q.end() <= p.offset();
          assertTrue(disjoint || !p.lifetime().overlaps(q.lifetime()),
              "trial " + trial + ": " + p + " and " + q + " share memory while both live");
        }
      }
      long peak = ArenaPlanner.peakLive(lifetimes);
      assertTrue(plan.length() >= peak);
      assertTrue(plan.length() <= 2 * peak, "trial " + trial + ": " + plan.length() + " for a peak of " + peak);
    }
  }

  @Test
  void aLifetimeEndingBeforeItStartsIsRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Lifetime("dX", 16, 3, 2));
    assertTrue(e.getMessage().contains("dX"), e.getMessage());
  }
}
