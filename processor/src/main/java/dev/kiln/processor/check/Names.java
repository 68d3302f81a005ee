package dev.kiln.processor.check;

import java.util.Collection;

/**
 * Suggestions for misspelt layer names. The search is linear in the known names, each compared
 * only as far as it can still be close enough.
 */
public final class Names {

  private Names() {}

  /** The known name closest to {@code wanted}, if it is close enough to be a likely typo. */
  static String closest(String wanted, Collection<String> known) {
    String lowerWanted = wanted.toLowerCase();
    int allowed = Math.max(2, wanted.length() / 3);
    String best = null;
    int bestDistance = allowed + 1;
    for (String candidate : known) {
      // The length difference alone is a lower bound of the distance.
      if (Math.abs(candidate.length() - wanted.length()) >= bestDistance) {
        continue;
      }
      int distance = distance(lowerWanted, candidate.toLowerCase(), bestDistance);
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return best;
  }

  /** {@code ; did you mean hidden1?}, or {@code otherwise} when no name is close. */
  public static String suggestion(String wanted, Collection<String> known, String otherwise) {
    String closest = closest(wanted, known);
    return closest != null ? "; did you mean " + closest + "?" : otherwise;
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    return distance(a, b, Integer.MAX_VALUE);
  }

  /**
   * Levenshtein distance, or any value of at least {@code limit} once the distance is known to
   * reach it (a row's minimum never decreases), so far names cost little.
   */
  static int distance(String a, String b, int limit) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      int rowMinimum = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
        rowMinimum = Math.min(rowMinimum, current[j]);
      }
      if (rowMinimum >= limit) {
        return limit;
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
