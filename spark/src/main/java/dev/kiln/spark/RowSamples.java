package dev.kiln.spark;

import dev.kiln.runtime.InputSpec;
import dev.kiln.runtime.ModelSpec;
import dev.kiln.runtime.OutputSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;

/**
 * A DataFrame's rows as samples: one column per model input and per output target, named as the
 * layers are; each an array of numbers (flattened row-major) or, for one value, a number.
 */
final class RowSamples {

  private RowSamples() {}

  static JavaRDD<Sample> of(ModelSpec spec, Dataset<Row> rows) {
    if (rows == null) {
      throw new IllegalArgumentException("the DataFrame is null");
    }
    List<String> inputs = spec.inputs().stream().map(InputSpec::name).toList();
    List<String> targets = spec.outputs().stream().map(OutputSpec::name).toList();
    int[] inputColumns = columns(rows, inputs, "input");
    int[] targetColumns = columns(rows, targets, "output");
    return rows.javaRDD().map(row -> new Sample(values(row, inputColumns),
        values(row, targetColumns)));
  }

  private static int[] columns(Dataset<Row> rows, List<String> names, String kind) {
    List<String> available = Arrays.asList(rows.columns());
    int[] columns = new int[names.size()];
    for (int i = 0; i < columns.length; i++) {
      String name = names.get(i);
      int index = available.indexOf(name);
      if (index < 0) {
        throw new IllegalArgumentException(
            "the DataFrame has no column '" + name + "' for the model's " + kind + " '" + name
                + "'; it has " + available + " (rename with withColumnRenamed)");
      }
      StructField field = rows.schema().fields()[index];
      if (!isNumeric(field.dataType())) {
        throw new IllegalArgumentException(
            "column '" + name + "' holds " + field.dataType().simpleString() + "; the model's "
                + kind + " needs a number or an array of numbers");
      }
      columns[i] = index;
    }
    return columns;
  }

  private static boolean isNumeric(DataType type) {
    if (type instanceof ArrayType array) {
      return isNumeric(array.elementType());
    }
    return type instanceof NumericType;
  }

  private static double[][] values(Row row, int[] columns) {
    double[][] values = new double[columns.length][];
    for (int i = 0; i < columns.length; i++) {
      Object cell = row.get(columns[i]);
      if (cell == null) {
        throw new IllegalArgumentException(
            "column '" + row.schema().fields()[columns[i]].name() + "' is null in a row; drop or"
                + " impute missing values first");
      }
      List<Double> flat = new ArrayList<>();
      flatten(cell, flat);
      values[i] = flat.stream().mapToDouble(Double::doubleValue).toArray();
    }
    return values;
  }

  private static void flatten(Object cell, List<Double> into) {
    if (cell instanceof Number number) {
      into.add(number.doubleValue());
    } else if (cell instanceof scala.collection.Seq<?> seq) {
      scala.collection.Iterator<?> it = seq.iterator();
      while (it.hasNext()) {
        flatten(it.next(), into);
      }
    } else if (cell instanceof List<?> list) {
      list.forEach(item -> flatten(item, into));
    } else {
      throw new IllegalArgumentException("cannot read " + cell.getClass().getName() + " as numbers");
    }
  }
}
