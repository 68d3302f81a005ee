package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.JavaFileObjects;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.ParameterSpec;
import dev.kiln.runtime.testing.RandomArrays;
import java.lang.reflect.Method;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A chain of 2,000 Dense layers: its generated class is cut into parts (the summary's string
 * constant, the passes, the constructors and the spec), and the parts together still compute the
 * network: the forward pass against a plain loop over the layers' parameters, the backward pass
 * against finite differences at the first and the last layer, and a training step.
 */
class LargeModelTest {

  private static final int LAYERS = 2_000;
  private static final int WIDTH = 4;

  /** Input, 1,998 linear Dense layers with orthogonal kernels (norms neither vanish nor explode), output. */
  private static String chain() {
    StringBuilder source = new StringBuilder("""
        package large;

        import dev.kiln.*;
        import static dev.kiln.Initializer.*;
        import static dev.kiln.Loss.*;

        @Model
        interface Chain {
          @Input(shape = %d) Tensor input();
        """.formatted(WIDTH));
    String previous = "input";
    for (int i = 1; i <= LAYERS - 2; i++) {
      source.append("  @Dense(units = %d, kernelInitializer = ORTHOGONAL) Tensor dense%d(Tensor %s);\n"
          .formatted(WIDTH, i, previous));
      previous = "dense" + i;
    }
    source.append("  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor %s);\n}\n"
        .formatted(previous));
    return source.toString();
  }

  @Test
  void aChainOfTwoThousandLayersCompilesComputesAndTrains() throws Exception {
    ClassLoader loader = InMemoryCompiler.compile(JavaFileObjects.forSourceString("large.Chain", chain()));
    Class<?> type = loader.loadClass("large.ChainModel");
    KilnModel model = (KilnModel) type.getMethod("create", long.class, DataType.class)
        .invoke(null, 5L, DataType.DOUBLE);
    assertEquals(LAYERS, model.spec().layers().size());
    assertEquals(LAYERS - 1, model.summary().lines().filter(line -> line.contains(" (Dense) ")).count());

    INDArray input = RandomArrays.uniform(1, 3, WIDTH);
    INDArray target = RandomArrays.uniform(2, 3, 2);
    Object outputs = type.getMethod("predict", INDArray.class).invoke(model, input);
    INDArray predicted = (INDArray) outputs.getClass().getMethod("output").invoke(outputs);
    INDArray expected = plainForward(model, input);
    assertTrue(predicted.equalsWithEps(expected, 1e-9), "predicted " + predicted + ", a plain loop gives " + expected);

    Method computeGradients = type.getMethod("computeGradients", INDArray.class, INDArray.class);
    // The first layer's gradient crosses every backward part; the output's starts them.
    Set<String> checked = Set.of("dense1", "output");
    ModelChecks.assertGradientsMatch(model, () -> {
      try {
        return (Double) computeGradients.invoke(model, input, target);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }, 2, parameter -> checked.contains(parameter.layer()));

    INDArray before = model.parameters().dup();
    double loss = (Double) type.getMethod("trainStep", INDArray.class, INDArray.class)
        .invoke(model, input, target);
    assertTrue(Double.isFinite(loss) && loss > 0, "loss " + loss);
    INDArray firstKernelBefore = NdArrays.view(before, 0, (long) WIDTH * WIDTH);
    INDArray firstKernelAfter = NdArrays.view(model.parameters(), 0, (long) WIDTH * WIDTH);
    assertFalse(firstKernelBefore.equals(firstKernelAfter), "the first layer, 1,999 layers from the loss, did not move");
  }

  /** x W + b layer after layer, from the flat parameter buffer in the spec's order. */
  private static INDArray plainForward(KilnModel model, INDArray input) {
    INDArray x = input.castTo(DataType.DOUBLE);
    long offset = 0;
    INDArray kernel = null;
    for (ParameterSpec parameter : model.spec().parameters()) {
      INDArray values = NdArrays.view(model.parameters(), offset, parameter.shape());
      offset += parameter.length();
      if (parameter.name().equals("kernel")) {
        kernel = values;
      } else {
        x = x.mmul(kernel).addRowVector(values);
      }
    }
    return x;
  }
}
