package dev.kiln.spark;

import java.io.Serializable;
import java.nio.ByteBuffer;
import org.apache.spark.SparkEnv;
import org.apache.spark.storage.BlockData;
import org.apache.spark.storage.BlockId;
import org.apache.spark.storage.BlockManager;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.storage.TestBlockId;
import org.apache.spark.util.io.ChunkedByteBuffer;
import scala.Option;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * The all-reduce's gradient slices in Spark's block manager: stored by the executor that
 * computed them, fetched by whichever executor sums them, removed by the driver.
 *
 * <p>Spark has no public API for storing and fetching blocks of one's own. {@code BlockManager},
 * {@code BlockManagerMaster} and {@code ChunkedByteBuffer} are {@code private[spark]}: the Scala
 * compiler enforces that, the JVM does not (they are public members in the bytecode), so Java
 * calls them directly where BigDL compiles a helper into package {@code org.apache.spark}.
 * Acceptable here because the module builds against one pinned Spark release ({@code
 * spark.version}, provided scope), every call is in this class, and the module's tests run each
 * of them on that release: a changed signature breaks the build or a test, it cannot change a
 * result silently. {@code TestBlockId} is the block id with a free name that a remote block
 * manager parses back from the wire ({@code "test_..."}); Spark marks it a developer API.
 */
final class SliceBlocks {

  /** The name every all-reduce block starts with, after Spark's {@code test_}. */
  static final String PREFIX = "kiln_allreduce_";

  private SliceBlocks() {}

  /** The block of slice {@code slice} of partition {@code from}'s gradient, in one step's try. */
  static BlockId id(String run, long step, int attempt, int from, int slice) {
    return new TestBlockId(PREFIX + run + "_" + step + "_" + attempt + "_" + from + "_" + slice);
  }

  /**
   * Stores {@code bytes} in this executor's block manager and tells the master where it is.
   * Serialized, spilling to disk rather than failing when storage memory is short. A retried task
   * storing the same block again finds it present and leaves it: both attempts wrote the same bits.
   */
  static void put(BlockId id, ByteBuffer bytes) {
    boolean stored = manager().putBytes(id, new ChunkedByteBuffer(bytes),
        StorageLevel.MEMORY_AND_DISK_SER(), true, ClassTag$.MODULE$.Any());
    if (!stored) {
      throw new IllegalStateException("the block manager refused gradient slice " + id.name()
          + "; give the executors more memory (spark.executor.memory)");
    }
  }

  /** The slice stored under {@code id}, from this executor or another, or null if it is gone. */
  static FlatVector fetch(BlockId id, boolean doubles) {
    BlockManager manager = manager();
    Option<BlockData> local = manager.getLocalBytes(id);
    if (local.isDefined()) {
      try {
        return FlatVector.decode(local.get().toByteBuffer(), doubles);
      } finally {
        manager.releaseLock(id, Option.empty());
      }
    }
    Option<ChunkedByteBuffer> remote = manager.getRemoteBytes(id);
    return remote.isDefined() ? FlatVector.decode(remote.get().toByteBuffer(), doubles) : null;
  }

  /** Removes the block from every executor holding it (called on the driver). */
  static void remove(BlockId id) {
    manager().master().removeBlock(id);
  }

  /** How many all-reduce blocks the cluster's block managers hold (for tests). */
  static int count() {
    return manager().master().getMatchingBlockIds(new IsSlice(), true).size();
  }

  /** The filter the master sends to every block manager, so it must be serializable. */
  private static final class IsSlice extends AbstractFunction1<BlockId, Object>
      implements Serializable {

    @Override
    public Object apply(BlockId id) {
      return id.name().startsWith("test_" + PREFIX);
    }
  }

  private static BlockManager manager() {
    return SparkEnv.get().blockManager();
  }
}
