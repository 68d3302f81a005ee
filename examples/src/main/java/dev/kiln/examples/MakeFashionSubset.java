package dev.kiln.examples;

import dev.kiln.runtime.data.FashionMnist;
import dev.kiln.runtime.data.Idx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Makes the small Fashion-MNIST subset shipped in this module's resources: the first samples of
 * each class, in their original order, from the full set (Debian's {@code
 * dataset-fashion-mnist}). Run it as {@code MakeFashionSubset SOURCE_DIR TARGET_DIR}.
 */
public final class MakeFashionSubset {

  static final int TRAIN_PER_CLASS = 500;
  static final int TEST_PER_CLASS = 100;

  private MakeFashionSubset() {}

  public static void main(String[] args) throws IOException {
    Path source = args.length > 0 ? Path.of(args[0]) : FashionMnist.DEBIAN_DIRECTORY;
    Path target =
        args.length > 1
            ? Path.of(args[1])
            : Path.of("examples/src/main/resources/dev/kiln/examples/fashion-mnist-subset");
    Files.createDirectories(target);
    subset(source, target, "train", TRAIN_PER_CLASS);
    subset(source, target, "t10k", TEST_PER_CLASS);
  }

  private static void subset(Path source, Path target, String split, int perClass)
      throws IOException {
    Idx.Contents images = Idx.read(source.resolve(split + "-images-idx3-ubyte.gz"));
    Idx.Contents labels = Idx.read(source.resolve(split + "-labels-idx1-ubyte.gz"));
    int pixels = images.shape()[1] * images.shape()[2];
    int total = perClass * FashionMnist.CLASS_NAMES.size();
    byte[] keptImages = new byte[total * pixels];
    byte[] keptLabels = new byte[total];
    int[] perLabel = new int[FashionMnist.CLASS_NAMES.size()];
    int kept = 0;
    for (int i = 0; i < labels.count() && kept < total; i++) {
      int label = labels.values()[i];
      if (perLabel[label] < perClass) {
        perLabel[label]++;
        keptLabels[kept] = labels.values()[i];
        System.arraycopy(images.values(), i * pixels, keptImages, kept * pixels, pixels);
        kept++;
      }
    }
    Idx.writeGzipped(
        new Idx.Contents(new int[] {kept, images.shape()[1], images.shape()[2]}, keptImages),
        target.resolve(split + "-images-idx3-ubyte.gz"));
    Idx.writeGzipped(
        new Idx.Contents(new int[] {kept}, keptLabels),
        target.resolve(split + "-labels-idx1-ubyte.gz"));
    System.out.println(split + ": " + kept + " samples written to " + target);
  }
}
