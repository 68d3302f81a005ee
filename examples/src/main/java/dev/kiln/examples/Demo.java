package dev.kiln.examples;

import dev.kiln.Optimizer;
import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.ModelData;
import dev.kiln.runtime.Scores;
import dev.kiln.runtime.data.FashionMnist;
import dev.kiln.runtime.optim.OptimizerSpec;
import dev.kiln.runtime.optim.schedules.CosineDecay;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The demo: prints the summaries of the seed's networks, which javac compiled from annotated
 * interfaces, draws their graphs as SVG files in {@code target/pictures} (and says where), then
 * trains some of them on Fashion-MNIST with a progress bar and reports their test accuracy.
 *
 * <p>Options: {@code --full} trains on the full Fashion-MNIST of Debian's {@code
 * dataset-fashion-mnist}; {@code --data DIR} on the four IDX files in DIR; otherwise on the
 * subset shipped in this module. {@code --epochs N} sets the epochs of every network, {@code
 * --train mlp,cnn,rnn} chooses the networks. {@code --recipe modern} trains them as people train
 * today rather than with Keras' plain defaults: see {@link Recipe#MODERN}.
 */
public final class Demo {

  private Demo() {}

  /** Where the demo draws the networks' graphs, relative to the working directory. */
  static final Path PICTURES = Path.of("target", "pictures");

  public static void main(String[] args) throws IOException {
    Options options = Options.parse(args);
    printSummaries(PICTURES);
    Dataset data = Dataset.load(options);
    System.out.printf(
        Locale.ROOT,
        "Training on %s: %,d training and %,d test images.%n",
        data.source(),
        data.train().size(),
        data.test().size());
    if (data.subset() && FashionMnist.isPresent(FashionMnist.DEBIAN_DIRECTORY)) {
      System.out.println(
          "(The full set is installed in " + FashionMnist.DEBIAN_DIRECTORY
              + "; add --full to train on it.)");
    }
    System.out.println();
    for (Trainee trainee : trainees()) {
      if (options.networks().contains(trainee.name())) {
        trainee.train(data, options.epochs() > 0 ? options.epochs() : trainee.defaultEpochs(),
            options.recipe());
      }
    }
  }

  /** The seed's networks, each as javac compiled it: its summary, and its graph drawn as SVG. */
  private static void printSummaries(Path pictures) throws IOException {
    Map<String, Supplier<KilnModel>> networks = new LinkedHashMap<>();
    networks.put("Mlp (multilayer perceptron)", () -> MlpModel.create(1));
    networks.put("Cnn (convolutional network, as the seed writes it)", () -> CnnModel.create(1));
    networks.put("CnnFlat (the same with the Flatten it lacks and same padding; trained below)",
        () -> CnnFlatModel.create(1));
    networks.put("SharedInput (shared input layer)", () -> SharedInputModel.create(1));
    networks.put("MultipleInputs (two image inputs)", () -> MultipleInputsModel.create(1));
    networks.put("UNet (with a 256x256 input; the seed's 572x572 does not compile)",
        () -> UNetModel.create(1));
    networks.put("Rnn (an LSTM over 784 pixels)", () -> RnnModel.create(1));
    networks.put("RnnRows (the same LSTM over 28 rows of 28 pixels; trained below)",
        () -> RnnRowsModel.create(1));
    networks.put("SharedFeatureExtraction", () -> SharedFeatureExtractionModel.create(1));
    networks.put("MultipleOutputs", () -> MultipleOutputsModel.create(1));
    networks.put("Headlines (two inputs, two outputs)", () -> HeadlinesModel.create(1));
    System.out.println("Kiln demo: the seed's networks, compiled from annotated Java interfaces.");
    List<Path> drawn = new ArrayList<>();
    for (Map.Entry<String, Supplier<KilnModel>> network : networks.entrySet()) {
      KilnModel model = network.getValue().get();
      System.out.println();
      System.out.println(network.getKey() + ":");
      System.out.print(model.summary());
      Path picture = pictures.resolve(model.spec().name() + ".svg");
      model.plot(picture);
      drawn.add(picture.toAbsolutePath());
    }
    System.out.println();
    System.out.println("Their graphs, drawn as Keras' plot_model draws them (open in a browser):");
    drawn.forEach(picture -> System.out.println("  " + picture));
    System.out.println();
  }

  /** The networks the demo can train, with the input layout each needs. */
  private static List<Trainee> trainees() {
    List<Trainee> trainees = new ArrayList<>();
    trainees.add(new Trainee("mlp", "Mlp", 5, split -> split.flatImages(),
        () -> MlpModel.create(42), MlpModel::data));
    trainees.add(new Trainee("cnn", "CnnFlat", 3,
        split -> split.images().reshape(split.size(), 28, 28, 1),
        () -> CnnFlatModel.create(42), CnnFlatModel::data));
    trainees.add(new Trainee("rnn", "RnnRows", 3, FashionMnist.Split::images,
        () -> RnnRowsModel.create(42), RnnRowsModel::data));
    return trainees;
  }

  /** One network to train: how to shape the images for it, how to make it and its data. */
  private record Trainee(
      String name,
      String title,
      int defaultEpochs,
      Function<FashionMnist.Split, INDArray> inputs,
      Supplier<KilnModel> model,
      DataMaker data) {

    void train(Dataset dataset, int epochs, Recipe recipe) {
      System.out.println("Training " + title + " for " + epochs + " epochs" + recipe.says() + ":");
      KilnModel kiln = model.get();
      ModelData train = data.make(inputs.apply(dataset.train()), dataset.train().oneHotLabels());
      long start = System.nanoTime();
      FitOptions options = FitOptions.epochs(epochs).batchSize(BATCH_SIZE).seed(7);
      kiln.fit(train, recipe.apply(kiln, options, dataset.train().size(), epochs));
      double seconds = (System.nanoTime() - start) / 1e9;
      Scores test =
          kiln.evaluate(data.make(inputs.apply(dataset.test()), dataset.test().oneHotLabels()), 256);
      System.out.printf(
          Locale.ROOT,
          "%s test accuracy: %.4f (loss %.4f) after %d epochs, %.1f s of training%n%n",
          title,
          test.get("accuracy"),
          test.loss(),
          epochs,
          seconds);
    }
  }

  private static final int BATCH_SIZE = 64;

  /** How the networks are trained. */
  enum Recipe {
    /** Keras' defaults: the model's own optimizer (Adam) at a fixed rate. */
    DEFAULTS,
    /**
     * AdamW (weight decay 0.05, biases and normalization weights left out), a linear warm-up over
     * the first epoch to 2e-3 and a cosine decay to 0 over the rest, and label smoothing 0.1.
     */
    MODERN;

    String says() {
      return this == DEFAULTS ? "" : " with AdamW, warm-up and cosine decay, label smoothing 0.1";
    }

    FitOptions apply(KilnModel model, FitOptions options, long samples, int epochs) {
      if (this == DEFAULTS) {
        return options;
      }
      long stepsPerEpoch = (samples + BATCH_SIZE - 1) / BATCH_SIZE;
      long warmup = Math.min(stepsPerEpoch, stepsPerEpoch * epochs / 2);
      model.setLabelSmoothing("output", 0.1);
      return options
          .optimizer(OptimizerSpec.of(Optimizer.ADAMW).weightDecay(0.05, false))
          .schedule(CosineDecay.withWarmup(0.0, warmup, 2e-3, stepsPerEpoch * epochs - warmup, 0));
    }
  }

  /** A generated model's typed {@code data(input, output)} factory. */
  @FunctionalInterface
  private interface DataMaker {
    ModelData make(INDArray input, INDArray output);
  }

  /** Command-line options. */
  record Options(
      Path dataDirectory, boolean full, int epochs, List<String> networks, Recipe recipe) {

    static Options parse(String[] args) {
      Path directory = null;
      boolean full = false;
      int epochs = 0;
      List<String> networks = List.of("mlp", "cnn", "rnn");
      Recipe recipe = Recipe.DEFAULTS;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--data" -> directory = Path.of(value(args, ++i, "--data"));
          case "--full" -> full = true;
          case "--epochs" -> epochs = Integer.parseInt(value(args, ++i, "--epochs"));
          case "--train" -> networks = List.of(value(args, ++i, "--train").split(","));
          case "--recipe" -> recipe = recipe(value(args, ++i, "--recipe"));
          default ->
              throw new IllegalArgumentException(
                  "unknown option " + args[i]
                      + "; use --data DIR, --full, --epochs N, --train mlp,cnn,rnn or"
                      + " --recipe defaults|modern");
        }
      }
      return new Options(directory, full, epochs, networks, recipe);
    }

    private static Recipe recipe(String name) {
      for (Recipe recipe : Recipe.values()) {
        if (recipe.name().equalsIgnoreCase(name)) {
          return recipe;
        }
      }
      throw new IllegalArgumentException(
          "unknown recipe " + name + "; use --recipe defaults or --recipe modern");
    }

    private static String value(String[] args, int index, String option) {
      if (index >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[index];
    }
  }

  /** The Fashion-MNIST splits the demo uses, and where they came from. */
  record Dataset(FashionMnist.Split train, FashionMnist.Split test, String source, boolean subset) {

    static Dataset load(Options options) throws IOException {
      if (options.dataDirectory() != null) {
        return from(FashionMnist.load(options.dataDirectory()),
            options.dataDirectory().toString(), false);
      }
      if (options.full()) {
        if (!FashionMnist.isPresent(FashionMnist.DEBIAN_DIRECTORY)) {
          throw new IOException(
              "--full reads " + FashionMnist.DEBIAN_DIRECTORY + ", which is not there; install"
                  + " Debian's dataset-fashion-mnist or give --data DIR");
        }
        return from(FashionMnist.load(FashionMnist.DEBIAN_DIRECTORY),
            "the full Fashion-MNIST in " + FashionMnist.DEBIAN_DIRECTORY, false);
      }
      return from(FashionMnist.loadResources(Demo.class, "fashion-mnist-subset/"),
          "the Fashion-MNIST subset shipped with the examples", true);
    }

    private static Dataset from(FashionMnist.Dataset dataset, String source, boolean subset) {
      return new Dataset(dataset.train(), dataset.test(), source, subset);
    }
  }
}
