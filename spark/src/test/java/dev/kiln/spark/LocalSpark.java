package dev.kiln.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * One local Spark for the tests of this JVM: two worker threads, and up to four attempts of a
 * task ({@code local[2,4]}), so that an injected task failure is retried as on a cluster.
 */
final class LocalSpark {

  private static SparkSession session;

  private LocalSpark() {}

  static synchronized SparkSession session() {
    if (session == null) {
      SparkConf conf = new SparkConf()
          .setMaster("local[2,4]")
          .setAppName("kiln-spark tests")
          .set("spark.ui.enabled", "false")
          .set("spark.driver.host", "127.0.0.1")
          .set("spark.driver.bindAddress", "127.0.0.1")
          .set("spark.sql.shuffle.partitions", "2");
      session = SparkSession.builder().config(conf).getOrCreate();
    }
    return session;
  }

  /** Stops the local Spark, for a test that needs another context in this JVM. */
  static synchronized void stop() {
    if (session != null) {
      session.stop();
      session = null;
    }
  }

  static JavaSparkContext context() {
    return JavaSparkContext.fromSparkContext(session().sparkContext());
  }
}
