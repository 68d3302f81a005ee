package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.testing.RandomArrays;
import java.io.IOException;
import java.lang.reflect.Method;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Layers that pass their input on unchanged (a linear activation, Flatten, Reshape, and Dropout in
 * a prediction) take their input's array for their output, and its gradient's array for their
 * gradient where their copy would be its first write: the generated code copies nothing there.
 * Each model is checked against float64 finite differences, and its prediction against {@code
 * activations(...)}, whose copies must stay apart. Beside each shared case, the cases that keep
 * the copy: an identity whose write is not its input gradient's first, an input that is also an
 * output, an identity with an activity regularizer, an identity of a model input.
 */
class SharedBuffersTest {

  private static final String HEADER =
      """
      package shared;

      import dev.kiln.*;
      import static dev.kiln.Activation.*;
      import static dev.kiln.Loss.*;

      """;

  @Test
  void aChainOfIdentitiesSharesOneArrayAndOneGradient() throws Exception {
    String source = check("Chain", """
        @Model
        interface Chain {
          @Input(shape = {3, 4}) Tensor x();
          @Dense(units = 6, activation = TANH) Tensor d(Tensor x);
          @ActivationLayer(LINEAR) Tensor same(Tensor d);
          @Reshape(targetShape = {2, 9}) Tensor folded(Tensor same);
          @Flatten Tensor flat(Tensor folded);
          @Dense(units = 5, activation = TANH) Tensor e(Tensor flat);
          @Output(loss = MSE) @ActivationLayer(LINEAR) Tensor out(Tensor e);
        }
        """);
    assertContains(source, "same = d;");
    assertContains(source, "dSame = dD;");
    assertContains(source, "folded = NdArrays.reshaped(same, batchSize, 2, 9);");
    assertContains(source, "dFolded = training ? NdArrays.reshaped(dSame, batchSize, 2, 9) : null;");
    assertContains(source, "flat = NdArrays.reshaped(folded, batchSize, 18);");
    assertContains(source, "out = e;");
    assertContains(source, "dOut = dE;");
    assertLacks(source, ".assign(");
    assertLacks(source, "Flatten.");
    assertLacks(source, "Reshape.");
  }

  @Test
  void anIdentityWritingItsInputGradientFirstSharesItBesideAnotherReader() throws Exception {
    String source = check("FirstWrite", """
        @Model
        interface FirstWrite {
          @Input(shape = 4) Tensor x();
          @Dense(units = 6, activation = TANH) Tensor d(Tensor x);
          @Dense(units = 3, activation = TANH) Tensor other(Tensor d);
          @Dense(units = 6) Tensor further(Tensor other);
          @ActivationLayer(LINEAR) Tensor same(Tensor d);
          @Output(loss = MSE) @Add Tensor both(Tensor further, Tensor same);
        }
        """);
    // Keras' order puts the deeper reader first, so the identity's backward step comes first.
    assertContains(source, "dSame = dD;");
    assertContains(source, "same = d;");
    assertContains(source, "Dense.addInputGradient(b.dOther, otherKernel, b.dD);");
  }

  @Test
  void identitiesThatWouldNotWriteFirstOrAreRegularizedKeepTheirCopies() throws Exception {
    String later = check("LaterWrite", """
        @Model
        interface LaterWrite {
          @Input(shape = 4) Tensor x();
          @Dense(units = 6, activation = TANH) Tensor d(Tensor x);
          @ActivationLayer(LINEAR) Tensor same(Tensor d);
          @Dense(units = 3, activation = TANH) Tensor other(Tensor d);
          @Dense(units = 3) Tensor head(Tensor same);
          @Output(loss = MSE) @Add Tensor both(Tensor other, Tensor head);
        }
        """);
    assertContains(later, "same = d;");
    assertContains(later, "b.dDPart.assign(b.dSame);");
    String outputs = check("BothOutputs", """
        @Model
        interface BothOutputs {
          @Input(shape = 4) Tensor x();
          @Output(loss = MSE) @Dense(units = 3, activation = TANH) Tensor d(Tensor x);
          @Output(loss = MAE) @ActivationLayer(LINEAR) Tensor same(Tensor d);
        }
        """);
    assertContains(outputs, "same = d;");
    assertContains(outputs, "b.dDPart.assign(b.dSame);");
    String regularized = check("Regularized", """
        @Model
        interface Regularized {
          @Input(shape = 4) Tensor x();
          @Dense(units = 6, activation = TANH) Tensor d(Tensor x);
          @Regularizers(activityL2 = 0.1) @ActivationLayer(LINEAR) Tensor same(Tensor d);
          @Output(loss = MSE) @Dense(units = 3) Tensor out(Tensor same);
        }
        """);
    assertContains(regularized, "same = d;");
    assertContains(regularized, "b.dD.assign(b.dSame);");
    String ofInput = check("OfInput", """
        @Model
        interface OfInput {
          @Input(shape = 4) Tensor x();
          @ActivationLayer(LINEAR) Tensor same(Tensor x);
          @Output(loss = MSE) @Dense(units = 3) Tensor out(Tensor same);
        }
        """);
    assertContains(ofInput, "b.same.assign(x);");
  }

  @Test
  void dropoutTakesItsInputsArrayInAPredictionOnly() throws Exception {
    String source = check("Dropped", """
        @Model
        interface Dropped {
          @Input(shape = {2, 3}) Tensor x();
          @Dense(units = 4, activation = RELU) Tensor d(Tensor x);
          @Flatten Tensor flat(Tensor d);
          @Dropout(rate = 0.5) Tensor dropped(Tensor flat);
          @Output(loss = MSE) @Dense(units = 2) Tensor out(Tensor dropped);
        }
        """);
    assertContains(source,
        "dropped = training ? NdArrays.zeros(dataType, batchSize, 8) : flat;");
    assertContains(source, "Dropout.forward(b.flat, 0.5, training, noise(), b.droppedMask, b.dropped);");
  }

  /**
   * Compiles the model, checks its gradients against finite differences (a model with dropout
   * is only predicted), and checks that a float32 prediction equals {@code activations(...)}'
   * outputs, each a copy of its own; returns the generated source.
   */
  private static String check(String name, String body) throws Exception {
    Compilation compilation =
        InMemoryCompiler.run(List.of(JavaFileObjects.forSourceString("shared." + name, HEADER + body)));
    assertEquals(Compilation.Status.SUCCESS, compilation.status(), compilation.diagnostics().toString());
    ClassLoader loader = InMemoryCompiler.load(compilation);
    Class<?> type = loader.loadClass("shared." + name + "Model");
    if (!body.contains("@Dropout")) {
      checkGradients(type);
    }
    checkPrediction(type);
    return source(compilation, name);
  }

  private static void checkGradients(Class<?> type) throws ReflectiveOperationException {
    KilnModel model = create(type, DataType.DOUBLE);
    Object[] arguments = arguments(model, 4);
    Method computeGradients = type.getMethod("computeGradients", types(arguments.length));
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

  /** Trains one step, then compares a prediction with activations' copies, and those copies apart. */
  private static void checkPrediction(Class<?> type) throws ReflectiveOperationException {
    KilnModel model = create(type, DataType.FLOAT);
    Object[] arguments = arguments(model, 5);
    type.getMethod("trainStep", types(arguments.length)).invoke(model, arguments);
    INDArray x = (INDArray) arguments[0];
    INDArray[] predicted = model.predict(new org.nd4j.linalg.dataset.DataSet(x, null), 5);
    Object activations = type.getMethod("activations", INDArray.class).invoke(model, x);
    Method get = activations.getClass().getMethod("get", String.class);
    INDArray previous = null;
    for (int i = 0; i < model.spec().layers().size(); i++) {
      INDArray own = (INDArray) get.invoke(activations, model.spec().layers().get(i).name());
      assertNotSame(previous, own);
      previous = own;
    }
    for (int i = 0; i < predicted.length; i++) {
      String output = model.spec().outputs().get(i).name();
      INDArray own = (INDArray) get.invoke(activations, output);
      assertTrue(ModelChecks.sameBits(predicted[i], own),
          "output " + output + ": predict " + predicted[i] + " against activations " + own);
    }
    // Changing one layer's copy leaves the layer it shares memory with as it was.
    String last = model.spec().layers().get(model.spec().layers().size() - 1).name();
    String before = model.spec().layers().get(model.spec().layers().size() - 2).name();
    INDArray lastCopy = (INDArray) get.invoke(activations, last);
    INDArray beforeCopy = (INDArray) get.invoke(activations, before);
    INDArray kept = beforeCopy.dup();
    lastCopy.addi(1);
    assertTrue(ModelChecks.sameBits(kept, beforeCopy), before + " changed with " + last);
  }

  private static KilnModel create(Class<?> type, DataType dataType)
      throws ReflectiveOperationException {
    return (KilnModel) type.getMethod("create", long.class, DataType.class).invoke(null, 3L, dataType);
  }

  /** One batch's input and targets, of {@code batch} samples. */
  private static Object[] arguments(KilnModel model, int batch) {
    int outputs = model.spec().outputs().size();
    Object[] arguments = new Object[1 + outputs];
    long[] inputShape = model.spec().inputs().get(0).shape();
    arguments[0] = RandomArrays.uniform(2, withBatch(batch, inputShape)).castTo(model.dataType());
    for (int i = 0; i < outputs; i++) {
      long[] shape = model.spec().outputs().get(i).shape();
      arguments[1 + i] = RandomArrays.uniform(5 + i, withBatch(batch, shape)).castTo(model.dataType());
    }
    return arguments;
  }

  private static long[] withBatch(int batch, long[] shape) {
    long[] full = new long[shape.length + 1];
    full[0] = batch;
    System.arraycopy(shape, 0, full, 1, shape.length);
    return full;
  }

  private static Class<?>[] types(int count) {
    Class<?>[] types = new Class<?>[count];
    java.util.Arrays.fill(types, INDArray.class);
    return types;
  }

  private static String source(Compilation compilation, String name) throws IOException {
    return compilation.generatedSourceFile("shared." + name + "Model").orElseThrow()
        .getCharContent(false).toString();
  }

  private static void assertContains(String source, String expected) {
    assertTrue(source.contains(expected),
        () -> "expected in the generated model: " + expected + "\n" + source);
  }

  private static void assertLacks(String source, String unexpected) {
    assertFalse(source.contains(unexpected),
        () -> "not expected in the generated model: " + unexpected + "\n" + source);
  }
}
