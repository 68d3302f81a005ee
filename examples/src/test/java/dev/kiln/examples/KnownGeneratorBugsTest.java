package dev.kiln.examples;

import com.google.testing.compile.JavaFileObjects;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.testing.RandomArrays;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Bugs the differential fuzz ({@link DifferentialFuzzTest}) found in the code generator ({@code
 * processor/.../emit}), each as the smallest model that shows it. Every test here fails until its
 * bug is fixed, so they run only on request, {@code -Dkiln.knownBugs=true}; meanwhile the fuzz
 * leaves out the random models that contain these constructs (see {@link
 * RandomValidModels.Generated#knownBug}).
 */
@EnabledIfSystemProperty(named = "kiln.knownBugs", matches = "true")
class KnownGeneratorBugsTest {

  private static final String HEADER =
      """
      package bugs;

      import dev.kiln.*;
      import static dev.kiln.Activation.*;
      import static dev.kiln.Loss.*;

      """;

  /**
   * A Concatenate that reads one tensor three times. The generated backward pass gives the second
   * and the third read the same buffer for their share of the tensor's gradient, {@code
   * Concatenate.backward(1, b.dC, b.dD, b.dDPart, b.dDPart)}: the third slice overwrites the
   * second, and {@code b.dD.addi(b.dDPart)} then adds the third slice twice and the second never.
   * (The gradient of {@code d} comes out as {@code g1 + 2 g3} instead of {@code g1 + g2 + g3}.)
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
   * The same collision with two reads, when the tensor's gradient has another contribution that is
   * written first (here its own loss, as an output): both reads are then shares, and they share the
   * one buffer.
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
