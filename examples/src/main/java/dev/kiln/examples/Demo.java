package dev.kiln.examples;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.Scores;
import dev.kiln.runtime.data.FashionMnist;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The demo: prints the summaries of the seed's networks, which javac compiled from annotated
 * interfaces, then trains on Fashion-MNIST with a progress bar and reports test accuracy.
 *
 * <p>Options: {@code --data DIR} reads the full Fashion-MNIST from DIR; without it the demo uses
 * Debian's {@code dataset-fashion-mnist} when installed, else the subset shipped in this module;
 * {@code --subset} forces the subset; {@code --epochs N} sets the epochs.
 */
public final class Demo {

  private Demo() {}

  public static void main(String[] args) throws IOException {
    Options options = Options.parse(args);
    Dataset data = Dataset.load(options);

    System.out.println("Mlp, from the annotated interface dev.kiln.examples.Mlp:");
    MlpModel mlp = MlpModel.create(42);
    System.out.println(mlp.summary());

    System.out.printf(
        Locale.ROOT,
        "Training Mlp on %s (%,d training and %,d test images)%n",
        data.source(), data.train().size(), data.test().size());
    long start = System.nanoTime();
    mlp.fit(
        MlpModel.data(data.train().flatImages(), data.train().oneHotLabels()),
        FitOptions.epochs(options.epochs()).batchSize(64).seed(7));
    double seconds = (System.nanoTime() - start) / 1e9;
    Scores test =
        mlp.evaluate(MlpModel.data(data.test().flatImages(), data.test().oneHotLabels()), 256);
    System.out.printf(
        Locale.ROOT,
        "Mlp test accuracy: %.4f (loss %.4f) after %d epochs, %.1f s of training%n",
        test.get("accuracy"), test.loss(), options.epochs(), seconds);
  }

  /** Command-line options. */
  record Options(Path dataDirectory, boolean subset, int epochs) {

    static Options parse(String[] args) {
      Path directory = null;
      boolean subset = false;
      int epochs = 5;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--data" -> directory = Path.of(value(args, ++i, "--data"));
          case "--subset" -> subset = true;
          case "--epochs" -> epochs = Integer.parseInt(value(args, ++i, "--epochs"));
          default ->
              throw new IllegalArgumentException(
                  "unknown option " + args[i] + "; use --data DIR, --subset or --epochs N");
        }
      }
      return new Options(directory, subset, epochs);
    }

    private static String value(String[] args, int index, String option) {
      if (index >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[index];
    }
  }

  /** The Fashion-MNIST splits the demo uses, and where they came from. */
  record Dataset(FashionMnist.Split train, FashionMnist.Split test, String source) {

    static Dataset load(Options options) throws IOException {
      if (options.dataDirectory() != null) {
        return from(FashionMnist.load(options.dataDirectory()), options.dataDirectory().toString());
      }
      if (!options.subset() && FashionMnist.isPresent(FashionMnist.DEBIAN_DIRECTORY)) {
        return from(FashionMnist.load(FashionMnist.DEBIAN_DIRECTORY), FashionMnist.DEBIAN_DIRECTORY.toString());
      }
      return from(
          FashionMnist.loadResources(Demo.class, "fashion-mnist-subset/"),
          "the Fashion-MNIST subset shipped with the examples");
    }

    private static Dataset from(FashionMnist.Dataset dataset, String source) {
      return new Dataset(dataset.train(), dataset.test(), source);
    }
  }
}
