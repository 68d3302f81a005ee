package dev.kiln.benchmarks;

import dev.kiln.examples.UNetModel;
import dev.kiln.runtime.BufferPlan;
import dev.kiln.runtime.KilnModel;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One network's native memory, measured in a JVM of its own so that nothing else it ran counts:
 * the process's resident size once ND4J is loaded, its peak after two predictions, its peak after
 * two training steps after them, the bytes of Kiln's arrays, and what the processor planned for a
 * training step (parameters, gradients, optimizer state, batch buffers) against the floor from the
 * shapes. Prints one line that {@link MemoryTable} reads: {@code memory <key> <batch> <bytes>...}.
 */
public final class MemoryProbe {

  /** The U-Net at 256x256, batch 1: the memory target; it has no DL4J twin. */
  static final String UNET = "unet";

  static final int PREDICTIONS = 2;
  static final int TRAINING_STEPS = 2;

  private MemoryProbe() {}

  public static void main(String[] args) throws Exception {
    String key = args[0];
    PeakMemory.loadNd4j();
    PeakMemory loaded = PeakMemory.now();
    int batch = key.equals(UNET) ? 1 : Networks.BATCH;
    Workload kiln = key.equals(UNET) ? uNet(new RandomData(7)) : network(key).build().apply(new RandomData(7)).kiln();
    for (int i = 0; i < PREDICTIONS; i++) {
      kiln.predict();
    }
    PeakMemory predicted = PeakMemory.now();
    for (int i = 0; i < TRAINING_STEPS; i++) {
      kiln.trainStep();
    }
    PeakMemory trained = PeakMemory.now();
    KilnModel model = kiln.kilnModel().orElseThrow();
    long width = model.parameters().dataType().width();
    long perModel = width * (model.parameters().length() + model.gradients().length()
        + model.updater().stateValues());
    long planned = -1;
    long floor = -1;
    try {
      BufferPlan plan = (BufferPlan) model.getClass().getMethod("bufferPlan").invoke(null);
      planned = perModel + width * plan.trainingValues(batch);
      floor = perModel + width * plan.trainingFloorValues(batch);
    } catch (NoSuchMethodException e) {
      // A model with a variable-length input has no plan: its buffers are not shared.
    }
    // The Java heap is part of the resident set: its pools' peak use shows how much of a peak it is.
    long heap = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(pool -> pool.getType() == MemoryType.HEAP)
        .mapToLong(pool -> pool.getPeakUsage().getUsed())
        .sum();
    System.out.println(String.format(Locale.ROOT, "memory %s %d %d %d %d %d %d %d %d", key, batch,
        loaded.residentBytes(), predicted.peakResidentBytes(), trained.peakResidentBytes(),
        trained.arrayBytes(), planned, floor, heap));
  }

  private static Networks.Network network(String key) {
    return Networks.all().stream()
        .filter(network -> network.key().equals(key))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no network " + key));
  }

  private static Workload uNet(RandomData data) {
    INDArray image = data.uniform(1, 256, 256, 1);
    INDArray mask = data.bits(1, 256, 256, 1);
    UNetModel model = UNetModel.create(42);
    return Workload.of(model, 1, () -> model.trainStep(image, mask), () -> model.predict(image, 1));
  }
}
