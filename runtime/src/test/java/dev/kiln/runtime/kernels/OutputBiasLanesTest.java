package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.testing.PlainArrays.assertAllClose;
import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Attention's output bias in lanes ({@link OutputBiasLanes}) gives the float loop's values to the
 * bit: on one thread with a tail of units after the whole vectors, and on two.
 */
class OutputBiasLanesTest {

  @Test
  void lanesEqualTheFloatLoopToTheBit() {
    assumeTrue(VectorApi.ENABLED);
    assertTrue(64L * 64 * 128 >= OutputBiasLanes.TWO_THREADS);
    for (long[] shape : new long[][] {{3, 5, FloatLanes.SPECIES.length() + 3}, {64, 64, 128}}) {
      INDArray rows = RandomArrays.uniform(91, shape).subi(0.5).castTo(DataType.FLOAT);
      INDArray bias = RandomArrays.uniform(92, shape[2]).castTo(DataType.FLOAT);
      INDArray expected = rows.dup();
      JavaLoops.addBias(expected, bias);
      assertTrue(OutputBiasLanes.suits(rows, bias));
      OutputBiasLanes.add(rows, bias);
      assertAllClose(values(expected), rows, 0, java.util.Arrays.toString(shape));
    }
  }
}
