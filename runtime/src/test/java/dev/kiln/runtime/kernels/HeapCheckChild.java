package dev.kiln.runtime.kernels;

import java.lang.reflect.Method;

/**
 * The JVM {@link FreshJvm#bytesPerCall} starts: calls a test class's static measuring method and
 * prints what it returns.
 */
public final class HeapCheckChild {

  static final String PREFIX = "heap bytes per call ";

  private HeapCheckChild() {}

  /** {@code args}: the class, the static method, and the method's one String argument if any. */
  public static void main(String[] args) throws Exception {
    Class<?> type = Class.forName(args[0]);
    long bytes;
    if (args.length > 2) {
      Method method = type.getDeclaredMethod(args[1], String.class);
      method.setAccessible(true);
      bytes = (Long) method.invoke(null, args[2]);
    } else {
      Method method = type.getDeclaredMethod(args[1]);
      method.setAccessible(true);
      bytes = (Long) method.invoke(null);
    }
    System.out.println(PREFIX + bytes);
  }
}
