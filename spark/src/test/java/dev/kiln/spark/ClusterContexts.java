package dev.kiln.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** Spark contexts for the slow runs: local threads, or executors of a standalone cluster. */
final class ClusterContexts {

  private ClusterContexts() {}

  static JavaSparkContext local(int threads) {
    return new JavaSparkContext(base("local[" + threads + ",4]"));
  }

  /** A context on {@code cluster} using {@code executors} executors of one core each. */
  static JavaSparkContext standalone(StandaloneCluster cluster, int executors, String memory) {
    return new JavaSparkContext(base(cluster.url())
        .set("spark.executor.memory", memory)
        .set("spark.executor.cores", "1")
        .set("spark.cores.max", String.valueOf(executors))
        .set("spark.executor.extraClassPath", System.getProperty("java.class.path"))
        .set("spark.executor.extraJavaOptions", StandaloneCluster.moduleFlags())
        .set("spark.executorEnv.OMP_WAIT_POLICY", "PASSIVE"));
  }

  private static SparkConf base(String master) {
    return new SparkConf()
        .setMaster(master)
        .setAppName("kiln-spark")
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1")
        .set("spark.ui.enabled", "false")
        .set("spark.driver.maxResultSize", "2g");
  }
}
