package dev.kiln.runtime.kernels;

/**
 * A bidirectional recurrent layer's parameters. Its computation is two calls of the recurrent
 * kernel, one with {@code reverse}, and a merge, written out in the generated step.
 */
public final class Bidirectional {

  private Bidirectional() {}

  /**
   * The forward and backward layers' parameters.
   *
   * @param <P> the wrapped layer's parameters, such as {@link Lstm.Parameters}
   */
  public record Parameters<P>(P forward, P backward) {}
}
