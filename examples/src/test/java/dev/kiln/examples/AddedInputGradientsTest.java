package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.testing.RandomArrays;
import java.lang.reflect.Method;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A layer read by several others sums their shares of its gradient: the first reader (in backward
 * order) writes it, a Dense reader after it adds its share in its last product ({@code
 * Dense.addInputGradient}, GEMM's beta = 1), any other reader writes a share buffer that is then
 * added in. Each model here has both kinds of later readers, and Dense readers of every backward
 * entry (plain, ReLU, GELU from its slope, tanh before the product, weights shared with another
 * layer), checked against float64 finite differences.
 */
class AddedInputGradientsTest {

  private static final String HEADER =
      """
      package added;

      import dev.kiln.*;
      import static dev.kiln.Activation.*;
      import static dev.kiln.Loss.*;

      """;

  @Test
  void denseSharesAddedInTheirProductsBesideAShareBuffer() throws Exception {
    String source = checkGradients("Readers", """
        @Model
        interface Readers {
          @Input(shape = {3, 5}) Tensor x();
          @Dense(units = 4, activation = TANH) Tensor shared(Tensor x);
          @Dense(units = 4, activation = RELU) Tensor relu(Tensor shared);
          @Dense(units = 4, activation = GELU) Tensor gelu(Tensor shared);
          @Dense(units = 4, activation = TANH) Tensor tanh(Tensor shared);
          @Dense(units = 4) Tensor plain(Tensor shared);
          @Add Tensor sum(Tensor shared, Tensor plain);
          @Dense(units = 4) Tensor after(Tensor sum);
          @Output(loss = MSE)
          @Concatenate Tensor out(Tensor relu, Tensor gelu, Tensor tanh, Tensor after);
        }
        """);
    // Keras' order puts the shallow readers last: one of relu, gelu and tanh writes first.
    assertEquals(3, count(source, "Dense.addInputGradient("), source);
    assertTrue(source.contains("b.dShared.addi(b.dSharedPart);"), source);
  }

  @Test
  void sharedWeightsAndAnOutputReadByDenseLayers() throws Exception {
    String source = checkGradients("SharedWeights", """
        @Model
        interface SharedWeights {
          @Input(shape = 5) Tensor x();
          @Output(loss = MSE) @Dense(units = 4, activation = TANH) Tensor shared(Tensor x);
          @Dense(units = 4, activation = TANH) Tensor a(Tensor shared);
          @SameWeightsAs("a") @Dense(units = 4, activation = TANH) Tensor b(Tensor shared);
          @Output(loss = MSE) @Add Tensor out(Tensor a, Tensor b);
        }
        """);
    assertEquals(2, count(source, "Dense.addInputGradient("), source);
  }

  private static int count(String source, String call) {
    return source.split(java.util.regex.Pattern.quote(call), -1).length - 1;
  }

  /** Compiles the model, checks its gradients against finite differences; returns its source. */
  private static String checkGradients(String name, String body) throws Exception {
    Compilation compilation =
        InMemoryCompiler.run(List.of(JavaFileObjects.forSourceString("added." + name, HEADER + body)));
    assertEquals(Compilation.Status.SUCCESS, compilation.status(), compilation.diagnostics().toString());
    Class<?> type = InMemoryCompiler.load(compilation).loadClass("added." + name + "Model");
    KilnModel model =
        (KilnModel) type.getMethod("create", long.class, DataType.class).invoke(null, 2L, DataType.DOUBLE);
    int outputs = model.spec().outputs().size();
    Object[] arguments = new Object[1 + outputs];
    arguments[0] = RandomArrays.uniform(2, withBatch(model.spec().inputs().get(0).shape())).sub(0.5);
    for (int i = 0; i < outputs; i++) {
      arguments[1 + i] = RandomArrays.uniform(3 + i, withBatch(model.spec().outputs().get(i).shape()));
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
    return compilation.generatedSourceFile("added." + name + "Model").orElseThrow()
        .getCharContent(false).toString();
  }

  private static long[] withBatch(long[] shape) {
    long[] full = new long[shape.length + 1];
    full[0] = 4;
    System.arraycopy(shape, 0, full, 1, shape.length);
    return full;
  }
}
