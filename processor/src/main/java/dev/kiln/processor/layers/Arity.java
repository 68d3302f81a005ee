package dev.kiln.processor.layers;

/** How many inputs a layer kind takes: {@code min} to {@code max} (inclusive). */
public record Arity(int min, int max) {

  public static Arity none() {
    return new Arity(0, 0);
  }

  public static Arity exactly(int count) {
    return new Arity(count, count);
  }

  public static Arity atLeast(int count) {
    return new Arity(count, Integer.MAX_VALUE);
  }

  public boolean allows(int count) {
    return count >= min && count <= max;
  }

  /** {@code one input}, {@code two or more inputs}. */
  public String describe() {
    if (min == max) {
      return min == 0 ? "no inputs" : count(min) + (min == 1 ? " input" : " inputs");
    }
    return count(min) + " or more inputs";
  }

  private static String count(int n) {
    return switch (n) {
      case 1 -> "one";
      case 2 -> "two";
      case 3 -> "three";
      default -> Integer.toString(n);
    };
  }
}
