package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.BufferPlan;
import dev.kiln.runtime.NdArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The U-Net's native memory for a training step at batch 1 (256x256, float32, Adam), as planned
 * at build time, against the floor computed from its shapes: parameters, their gradients, the
 * optimizer's state, every buffer the backward pass reads, and the most loss gradients live at
 * once. The issue asked for at most 1.3 times the floor.
 */
class UNetMemoryPlanTest {

  private static final long FLOAT_BYTES = 4;

  @Test
  void aTrainingStepAtBatchOneIsPlannedWithin13TimesItsFloor() {
    BufferPlan plan = UNetModel.bufferPlan();
    UNetModel model = UNetModel.create(1);
    long parameters = model.parameters().length();
    long perModel = parameters + model.gradients().length() + model.updater().stateValues();
    assertEquals(4 * 31_031_685L, perModel, "parameters, gradients and Adam's two moments");

    long floor = FLOAT_BYTES * (perModel + plan.trainingFloorValues(1));
    long planned = FLOAT_BYTES * (perModel + plan.trainingValues(1));
    System.out.printf(java.util.Locale.ROOT,
        "U-Net batch 1: floor %.1f MB, planned %.1f MB (%.3f); loss gradients %.1f MB in an arena of %.1f MB%n",
        floor / 1e6, planned / 1e6, (double) planned / floor,
        FLOAT_BYTES * plan.gradientFloor() / 1e6, FLOAT_BYTES * plan.gradientArena() / 1e6);
    assertTrue(planned <= 1.3 * floor, planned + " bytes planned against a floor of " + floor);
    // One array per gradient would take as much as the outputs: the arena takes under a third.
    assertTrue(plan.gradientArena() * 3 < plan.keptValues(), plan.toString());

    // What a step allocates is what was planned, beside a few kernels' work arrays.
    INDArray image = Nd4j.rand(DataType.FLOAT, 1, 256, 256, 1);
    INDArray mask = image.gt(0.5).castTo(DataType.FLOAT);
    long before = NdArrays.createdBytes();
    model.trainStep(image, mask);
    long allocated = NdArrays.createdBytes() - before;
    long buffers = FLOAT_BYTES * plan.trainingValues(1);
    assertTrue(allocated >= buffers && allocated <= buffers * 1.02,
        allocated + " bytes allocated by the first step, " + buffers + " planned for its buffers");

    // A prediction at the same batch size lays its outputs over the gradients' arena: it
    // allocates its dropout masks and the returned output, not another arena.
    before = NdArrays.createdBytes();
    model.predict(image, 1);
    long predicted = NdArrays.createdBytes() - before;
    assertTrue(plan.inferenceArena() <= plan.gradientArena(), plan.toString());
    assertTrue(predicted < FLOAT_BYTES * plan.inferenceArena() / 10,
        predicted + " bytes allocated by the first prediction after training, against an arena of "
            + FLOAT_BYTES * plan.inferenceArena());
  }
}
