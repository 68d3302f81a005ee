package dev.kiln.examples;

import java.util.LinkedHashMap;
import java.util.Map;

/** What the fuzz's checks counted over all models, for its closing report. */
final class FuzzTally {
  /** Parameter entries checked against finite differences. */
  int entries;
  /** Entries whose finite difference straddles a kink of the loss (ReLU at 0, max ties). */
  int kinks;
  /** Entries that agree only at the wide step. */
  int wideSteps;
  /** Entries whose difference is within the loss's own rounding. */
  int roundingLimited;
  int frozenTensors;
  int zeroGradientTensors;
  /** Seconds spent in each check, over all models. */
  final Map<String, Double> checkSeconds = new LinkedHashMap<>();
}
