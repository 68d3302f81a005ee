package dev.kiln.runtime.io;

import dev.kiln.runtime.ModelSpec;
import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.optim.Adam;
import dev.kiln.runtime.optim.Updater;
import java.nio.file.Path;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A JVM of its own for checkpoint tests, run by {@link CheckpointProcessTest}: {@code roundTrip
 * file n type} saves and loads a model of {@code n} parameters of {@code type} (FLOAT or DOUBLE)
 * with Adam and prints {@code equal}; {@code saveForever file n FLOAT} saves one again and
 * again, printing {@code saved} after each, until it is killed.
 */
public final class CheckpointChild {

  private CheckpointChild() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[1]);
    long n = Long.parseLong(args[2]);
    DataType type = DataType.valueOf(args[3]);
    ModelSpec spec = CheckpointFiles.spec(n);
    INDArray parameters = Nd4j.linspace(type, 1, 1e-3, n);
    Updater updater = new Adam(0.01);
    updater.attach(n, type);
    updater.stateArrays().get(0).assign(parameters);
    updater.stateArrays().get(1).assign(2);
    if (args[0].equals("roundTrip")) {
      long start = System.nanoTime();
      Checkpoint.write(file, spec, type, parameters, updater);
      long saved = System.nanoTime();
      INDArray loaded = NdArrays.zeros(type, n);
      Updater loadedUpdater = new Adam(0.01);
      loadedUpdater.attach(n, type);
      Checkpoint.read(file, spec, loaded, loadedUpdater);
      System.out.printf("saved in %.1f s, loaded in %.1f s%n", (saved - start) / 1e9,
          (System.nanoTime() - saved) / 1e9);
      boolean equal = loaded.equals(parameters)
          && loadedUpdater.stateArrays().get(0).equals(parameters)
          && loadedUpdater.stateArrays().get(1).equals(updater.stateArrays().get(1));
      System.out.println(equal ? "equal" : "different");
    } else {
      while (true) {
        Checkpoint.write(file, spec, type, parameters, updater);
        System.out.println("saved");
      }
    }
  }
}
