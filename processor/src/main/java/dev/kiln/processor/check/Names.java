package dev.kiln.processor.check;

import java.util.Collection;

/** Suggestions for misspelt layer names. */
public final class Names {

  private Names() {}

  /** The known name closest to {@code wanted}, if it is close enough to be a likely typo. */
  static String closest(String wanted, Collection<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      int distance = distance(wanted.toLowerCase(), candidate.toLowerCase());
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    int allowed = Math.max(2, wanted.length() / 3);
    return bestDistance <= allowed ? best : null;
  }

  /** {@code ; did you mean hidden1?}, or {@code otherwise} when no name is close. */
  public static String suggestion(String wanted, Collection<String> known, String otherwise) {
    String closest = closest(wanted, known);
    return closest != null ? "; did you mean " + closest + "?" : otherwise;
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
