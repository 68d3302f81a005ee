package dev.kiln.spark;

import dev.kiln.runtime.KilnModel;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;

/**
 * Training samples distributed for a model: one cached {@link Shard} per partition of the
 * source RDD, and where each partition's samples start in the global numbering.
 */
final class TrainingSet {

  private final JavaRDD<Shard> shards;
  private final long[] firsts;
  private final int size;
  private final String modelClass;
  private final String dataType;
  private final SampleLayout layout;

  private TrainingSet(JavaRDD<Shard> shards, long[] firsts, int size, KilnModel model,
      SampleLayout layout) {
    this.shards = shards;
    this.firsts = firsts;
    this.size = size;
    this.modelClass = model.getClass().getName();
    this.dataType = model.dataType().name();
    this.layout = layout;
  }

  /** Packs and caches {@code samples} (one pass over them), checking each against the model. */
  static TrainingSet of(KilnModel model, JavaRDD<Sample> samples, String what) {
    if (samples == null) {
      throw new IllegalArgumentException(what + " is null");
    }
    SampleLayout layout = SampleLayout.of(model.spec(), model.dataType());
    JavaRDD<Shard> shards = samples
        .mapPartitionsWithIndex(
            (partition, rows) -> List.of(Shard.pack(partition, rows, layout)).iterator(), true)
        .persist(StorageLevel.MEMORY_ONLY());
    shards.setName(what + " as Kiln shards");
    List<Integer> counts = shards.map(Shard::count).collect();
    long[] firsts = new long[counts.size()];
    long total = 0;
    for (int p = 0; p < firsts.length; p++) {
      firsts[p] = total;
      total += counts.get(p);
    }
    if (total == 0) {
      shards.unpersist(false);
      throw new IllegalArgumentException(what + " holds no samples");
    }
    if (total > Integer.MAX_VALUE) {
      shards.unpersist(false);
      throw new IllegalArgumentException(
          what + " holds " + total + " samples; one fit takes at most " + Integer.MAX_VALUE);
    }
    return new TrainingSet(shards, firsts, (int) total, model, layout);
  }

  JavaRDD<Shard> shards() {
    return shards;
  }

  long[] firsts() {
    return firsts;
  }

  int size() {
    return size;
  }

  int partitions() {
    return firsts.length;
  }

  String modelClass() {
    return modelClass;
  }

  String dataType() {
    return dataType;
  }

  SampleLayout layout() {
    return layout;
  }

  void release() {
    shards.unpersist(false);
  }
}
