package dev.kiln.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.testing.PlainArrays;
import dev.kiln.runtime.testing.RandomArrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.EnumSource.Mode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Element access reads and writes exactly the elements of the array, whatever view it is. */
class ElementsTest {

  @ParameterizedTest
  @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"}, mode = Mode.INCLUDE)
  void readsAndWritesTheElementsOfFlatArraysViewsAndReshapes(DataType type) {
    List<Function<INDArray, INDArray>> views = List.of(
        flat -> flat,
        flat -> NdArrays.view(flat, 7, 3, 4),
        flat -> NdArrays.view(flat, 7, 3, 4).reshape('c', 4, 3),
        flat -> NdArrays.view(NdArrays.view(flat, 7, 12), 5, 2, 2),
        flat -> NdArrays.view(flat, 0, 6, 10).get(NDArrayIndex.interval(2, 5), NDArrayIndex.all()));
    for (int v = 0; v < views.size(); v++) {
      INDArray flat = RandomArrays.uniform(1, 60).castTo(type);
      INDArray array = views.get(v).apply(flat);
      assertTrue(Elements.accepts(array), "view " + v);
      Elements elements = Elements.of(array);
      double[] expected = PlainArrays.values(array);
      assertEquals(expected.length, elements.length());
      for (int i = 0; i < expected.length; i++) {
        assertEquals(expected[i], elements.get(i), "view " + v + ", element " + i);
      }
      INDArray before = flat.dup();
      elements.set(expected.length - 1, 42);
      assertEquals(42, PlainArrays.values(array)[expected.length - 1], "view " + v);
      assertEquals(1, before.neq(flat).castTo(DataType.INT).sumNumber().intValue(),
          "view " + v + ": one element of the underlying buffer changed");
    }
  }

  /** Between views at offsets, of the same type and of the other one. */
  @ParameterizedTest
  @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"}, mode = Mode.INCLUDE)
  void copiesAndFillsRunsOfElements(DataType type) {
    INDArray source = NdArrays.view(RandomArrays.uniform(4, 30).castTo(type), 5, 20);
    for (DataType targetType : List.of(DataType.FLOAT, DataType.DOUBLE)) {
      INDArray buffer = RandomArrays.uniform(5, 40).castTo(targetType);
      INDArray target = NdArrays.view(buffer, 10, 25);
      double[] expected = PlainArrays.values(buffer);
      double[] from = PlainArrays.values(source);
      for (int i = 0; i < 6; i++) {
        expected[10 + 3 + i] = targetType == DataType.FLOAT ? (float) from[2 + i] : from[2 + i];
      }
      for (int i = 0; i < 4; i++) {
        expected[10 + 12 + i] = 1.5;
      }
      Elements elements = Elements.of(target);
      Elements.of(source).copyTo(2, elements, 3, 6);
      elements.fill(12, 4, 1.5);
      double[] actual = PlainArrays.values(buffer);
      for (int i = 0; i < expected.length; i++) {
        assertEquals(expected[i], actual[i], type + " to " + targetType + ", element " + i);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"}, mode = Mode.INCLUDE)
  void refusesColumnsAndTransposes(DataType type) {
    INDArray matrix = RandomArrays.uniform(2, 4, 5).castTo(type);
    for (INDArray array : List.of(matrix.getColumn(1), matrix.transpose(),
        matrix.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 3)))) {
      assertFalse(Elements.accepts(array));
      assertThrows(IllegalArgumentException.class, () -> Elements.of(array));
    }
  }

  @ParameterizedTest
  @EnumSource(value = DataType.class, names = {"INT", "HALF"}, mode = Mode.INCLUDE)
  void refusesOtherTypes(DataType type) {
    assertFalse(Elements.accepts(RandomArrays.uniform(3, 4).castTo(type)));
  }
}
