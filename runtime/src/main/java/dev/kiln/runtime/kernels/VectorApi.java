package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * Whether the float32 Java passes may use the Vector API ({@code jdk.incubator.vector}): this
 * class names none of its types, so it loads in any JVM.
 *
 * <p>The API is an incubator module in Java 17, present only when the JVM was started with {@code
 * --add-modules jdk.incubator.vector}. On x86-64 its exp runs as 8 or 16 lanes at once (the JDK's
 * SVML stubs), and an LSTM step's cells took 15-30 microseconds instead of 730 at 64x128; on other
 * processors the JDK computes vector exp one lane at a time, slower than the plain loop. So the
 * vector passes run on x86-64 with the module, and not with the system property {@code
 * kiln.vectorApi=false}; float64 keeps the plain loops, whose exp rounds as {@code Math.exp}
 * does, for the gradient checks. Public for the optimizers' passes ({@code optim}).
 */
public final class VectorApi {

  /** Whether float32 passes use the Vector API in this JVM. */
  public static final boolean ENABLED = !"false".equals(System.getProperty("kiln.vectorApi"))
      && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
      && isX86(System.getProperty("os.arch", ""));

  private VectorApi() {}

  /** Whether arrays of {@code dataType} take the Vector API's passes. */
  public static boolean appliesTo(DataType dataType) {
    return ENABLED && dataType == DataType.FLOAT;
  }

  private static boolean isX86(String arch) {
    return arch.equals("amd64") || arch.equals("x86_64");
  }
}
