package dev.kiln.runtime.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Fashion-MNIST (Zalando's 28x28 grey images of 10 kinds of clothing, in MNIST's IDX format):
 * images scaled to [0, 1], labels as class indices.
 */
public final class FashionMnist {

  /** Where Debian's {@code dataset-fashion-mnist} package installs the full set. */
  public static final Path DEBIAN_DIRECTORY = Path.of("/usr/share/datasets/fashion-mnist");

  /** The class names, by label. */
  public static final List<String> CLASS_NAMES =
      List.of(
          "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
          "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  private static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
  private static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
  private static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
  private static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

  private FashionMnist() {}

  /** Images and labels of one split. */
  public record Split(INDArray images, INDArray labels) {

    /** The number of samples. */
    public long size() {
      return labels.length();
    }

    /** Images as {@code (n, 28, 28)}, values in [0, 1]. */
    @Override
    public INDArray images() {
      return images;
    }

    /** Images flattened to {@code (n, 784)}. */
    public INDArray flatImages() {
      return images.reshape(images.size(0), 28 * 28);
    }

    /** Labels as class indices {@code (n)}, integers. */
    @Override
    public INDArray labels() {
      return labels;
    }

    /** Labels as one-hot rows {@code (n, 10)}. */
    public INDArray oneHotLabels() {
      return OneHot.encode(labels, CLASS_NAMES.size());
    }

    /** The first {@code count} samples. */
    public Split head(long count) {
      long n = Math.min(count, size());
      return new Split(
          images.get(NDArrayIndex.interval(0, n)).dup(),
          labels.get(NDArrayIndex.interval(0, n)).dup());
    }
  }

  /** The training and test splits. */
  public record Dataset(Split train, Split test) {}

  /**
   * Reads the four files (gzipped or plain, named as Zalando publishes them) from {@code
   * directory}.
   */
  public static Dataset load(Path directory) throws IOException {
    return new Dataset(
        split(locate(directory, TRAIN_IMAGES), locate(directory, TRAIN_LABELS)),
        split(locate(directory, TEST_IMAGES), locate(directory, TEST_LABELS)));
  }

  /** Reads the four gzipped files from the class path under {@code resourcePrefix}. */
  public static Dataset loadResources(Class<?> anchor, String resourcePrefix) throws IOException {
    return new Dataset(
        split(
            resource(anchor, resourcePrefix + TRAIN_IMAGES + ".gz"),
            resource(anchor, resourcePrefix + TRAIN_LABELS + ".gz")),
        split(
            resource(anchor, resourcePrefix + TEST_IMAGES + ".gz"),
            resource(anchor, resourcePrefix + TEST_LABELS + ".gz")));
  }

  /** Whether {@code directory} holds the four files. */
  public static boolean isPresent(Path directory) {
    for (String name : List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)) {
      if (!Files.exists(directory.resolve(name)) && !Files.exists(directory.resolve(name + ".gz"))) {
        return false;
      }
    }
    return true;
  }

  private static Split split(Idx.Contents images, Idx.Contents labels) throws IOException {
    if (images.shape().length != 3 || images.shape()[1] != 28 || images.shape()[2] != 28) {
      throw new IOException(
          "Fashion-MNIST images must be (n, 28, 28), got " + Arrays.toString(images.shape()));
    }
    if (labels.shape().length != 1 || labels.count() != images.count()) {
      throw new IOException(
          "Fashion-MNIST has "
              + images.count()
              + " images but "
              + Arrays.toString(labels.shape())
              + " labels");
    }
    float[] pixels = new float[images.values().length];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (images.values()[i] & 0xff) / 255f;
    }
    int[] classes = new int[labels.count()];
    for (int i = 0; i < classes.length; i++) {
      classes[i] = labels.values()[i] & 0xff;
      if (classes[i] >= CLASS_NAMES.size()) {
        throw new IOException("Fashion-MNIST label " + classes[i] + " at " + i + " is not in 0..9");
      }
    }
    return new Split(
        Nd4j.createFromArray(pixels).reshape(images.count(), 28, 28), Nd4j.createFromArray(classes));
  }

  private static Idx.Contents locate(Path directory, String name) throws IOException {
    Path gzipped = directory.resolve(name + ".gz");
    Path plain = directory.resolve(name);
    if (Files.exists(gzipped)) {
      return Idx.read(gzipped);
    }
    if (Files.exists(plain)) {
      return Idx.read(plain);
    }
    throw new IOException(
        "no " + name + "(.gz) in " + directory + "; download Fashion-MNIST there or install "
            + "Debian's dataset-fashion-mnist");
  }

  private static Idx.Contents resource(Class<?> anchor, String name) throws IOException {
    InputStream in = anchor.getResourceAsStream(name);
    if (in == null) {
      throw new IOException("no resource " + name + " next to " + anchor.getName());
    }
    try (in) {
      return Idx.read(in, name);
    }
  }
}
