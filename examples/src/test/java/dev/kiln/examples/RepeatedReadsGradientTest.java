package dev.kiln.examples;

import com.google.testing.compile.JavaFileObjects;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.testing.RandomArrays;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Models in which one layer reads the same tensor several times, each share of whose gradient needs
 * its own scratch buffer. The differential fuzz ({@link DifferentialFuzzTest}) found these: the
 * generated backward pass gave the shares one buffer, so one overwrote another.
 */
class RepeatedReadsGradientTest {

  private static final String HEADER =
      """
      package bugs;

      import dev.kiln.*;
      import static dev.kiln.Activation.*;
      import static dev.kiln.Loss.*;

      """;

  /**
   * A Concatenate that reads one tensor three times: the second and the third slice of its gradient
   * go to two scratch buffers, {@code dDPart} and {@code dDPart2}, both added into {@code dD}. (With
   * one buffer, the gradient of {@code d} came out as {@code g1 + 2 g3}.)
   */
  @Test
  void concatenateReadingOneTensorThreeTimes() throws Exception {
    checkGradients(
        "ThreeReads",
        """
        @Model
        interface ThreeReads {
          @Input(shape = 3) Tensor x();
          @Dense(units = 2) Tensor d(Tensor x);
          @Output(loss = MSE)
          @Concatenate Tensor c(Tensor d, @From("d") Tensor again, @From("d") Tensor thrice);
        }
        """);
  }

  /**
   * Two reads of a tensor whose gradient has another contribution written first (here its own loss,
   * as an output): both reads are then shares, each with its own buffer.
   */
  @Test
  void concatenateReadingTwiceATensorWithAnotherGradient() throws Exception {
    checkGradients(
        "OutputReadTwice",
        """
        @Model
        interface OutputReadTwice {
          @Input(shape = 3) Tensor x();
          @Output(loss = MSE)
          @Dense(units = 2) Tensor d(Tensor x);
          @Output(loss = MSE)
          @Concatenate Tensor c(Tensor d, @From("d") Tensor again);
        }
        """);
  }

  /** The same for any merge: an Add reading one tensor three times, beside a second reader. */
  @Test
  void addReadingOneTensorThreeTimesBesideAnotherReader() throws Exception {
    checkGradients(
        "AddThrice",
        """
        @Model
        interface AddThrice {
          @Input(shape = 3) Tensor x();
          @Dense(units = 2, activation = TANH) Tensor d(Tensor x);
          @Dense(units = 2) Tensor e(Tensor d);
          @Output(loss = MSE)
          @Add Tensor s(Tensor e, @From("d") Tensor again, @From("d") Tensor thrice, @From("d") Tensor more);
        }
        """);
  }

  /** Compiles the model, and checks its backward pass against finite differences. */
  private static void checkGradients(String name, String body) throws Exception {
    ClassLoader loader =
        InMemoryCompiler.compile(JavaFileObjects.forSourceString("bugs." + name, HEADER + body));
    Class<?> type = loader.loadClass("bugs." + name + "Model");
    KilnModel model =
        (KilnModel)
            type.getMethod("create", long.class, DataType.class).invoke(null, 1L, DataType.DOUBLE);
    int outputs = model.spec().outputs().size();
    Object[] arguments = new Object[1 + outputs];
    arguments[0] = RandomArrays.uniform(2, 4, 3);
    for (int i = 0; i < outputs; i++) {
      long[] shape = model.spec().outputs().get(i).shape();
      arguments[1 + i] = RandomArrays.uniform(3 + i, 4, shape[0]);
    }
    Class<?>[] types = new Class<?>[arguments.length];
    java.util.Arrays.fill(types, INDArray.class);
    Method computeGradients = type.getMethod("computeGradients", types);
    ModelChecks.assertGradientsMatch(
        model,
        () -> {
          try {
            return (Double) computeGradients.invoke(model, arguments);
          } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
          }
        },
        1000);
  }
}
