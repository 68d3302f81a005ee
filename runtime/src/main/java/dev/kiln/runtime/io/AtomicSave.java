package dev.kiln.runtime.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How a file is saved so that readers see the old content or the new, never a part: written to
 * a temporary file beside the target, forced to disk, renamed over the target.
 *
 * <p>The temporary name is short and fixed in form ({@code .kiln-save-<pid>-<random>.tmp}), so
 * any target name the file system allows can be saved, and it records the process writing it:
 * a save first deletes the temporary files of processes that no longer run (killed mid-save), so
 * they never pile up. The file is created as {@code Files.newOutputStream} would create it
 * (0666 less the umask, so usually 0644); a target that exists keeps its permissions.
 */
final class AtomicSave {

  private static final String PREFIX = ".kiln-save-";
  private static final String SUFFIX = ".tmp";
  private static final int MAX_LINKS = 40;

  /** Writes the whole content to an open stream; the stream is closed by the caller. */
  @FunctionalInterface
  interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  private AtomicSave() {}

  /**
   * The file a save to {@code path} replaces: {@code path}, or the file its symbolic links lead
   * to (a link is followed, not replaced). Refuses paths that name no file.
   */
  static Path target(Path path) throws IOException {
    if (path == null || path.getFileName() == null || path.getFileName().toString().isEmpty()) {
      throw new IllegalArgumentException(
          "a checkpoint needs a file name, but the path '" + path + "' names none;"
              + " give one such as 'model.kiln'");
    }
    Path target = path.toAbsolutePath();
    for (int hops = 0; Files.isSymbolicLink(target); hops++) {
      if (hops == MAX_LINKS) {
        throw new IOException(path + " is a chain of more than " + MAX_LINKS
            + " symbolic links (a loop?)");
      }
      target = target.resolveSibling(Files.readSymbolicLink(target));
    }
    if (Files.isDirectory(target)) {
      throw new IOException(path + " is a directory; give a file name in it, such as "
          + path.resolve("model.kiln"));
    }
    return target;
  }

  /**
   * Writes {@code content} to a new temporary file next to {@code target}, forced to disk;
   * {@code target} itself is untouched. On failure the temporary file is deleted.
   */
  static Path writeTemporary(Path target, Content content) throws IOException {
    Path directory = target.getParent();
    Files.createDirectories(directory);
    removeStale(directory);
    Path temporary = create(directory);
    try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
      OutputStream out = Channels.newOutputStream(channel);
      content.writeTo(out);
      out.flush();
      channel.force(true);
      keepPermissions(target, temporary);
      return temporary;
    } catch (IOException | RuntimeException | Error e) {
      Files.deleteIfExists(temporary);
      throw e;
    }
  }

  /** Renames {@code temporary} over {@code target}, atomically where the file system can. */
  static void moveIntoPlace(Path temporary, Path target) throws IOException {
    try {
      try {
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  /** Deletes temporary files in {@code directory} left by processes that no longer run. */
  static void removeStale(Path directory) throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, PREFIX + "*" + SUFFIX)) {
      for (Path file : files) {
        Optional<Long> writer = writer(file.getFileName().toString());
        if (writer.isPresent() && !ProcessHandle.of(writer.get()).map(ProcessHandle::isAlive)
            .orElse(false)) {
          Files.deleteIfExists(file);
        }
      }
    }
  }

  /** The process id in a temporary file's name, if the name is one of ours. */
  static Optional<Long> writer(String name) {
    if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX)) {
      return Optional.empty();
    }
    String middle = name.substring(PREFIX.length(), name.length() - SUFFIX.length());
    int dash = middle.indexOf('-');
    try {
      return dash > 0 ? Optional.of(Long.parseLong(middle.substring(0, dash))) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Path create(Path directory) throws IOException {
    long pid = ProcessHandle.current().pid();
    while (true) {
      String random = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
      Path temporary = directory.resolve(PREFIX + pid + "-" + random + SUFFIX);
      try {
        // No file attributes: the mode is the default one, as for Files.newOutputStream.
        FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)
            .close();
        return temporary;
      } catch (FileAlreadyExistsException e) {
        // another save drew the same name: draw again
      }
    }
  }

  private static void keepPermissions(Path target, Path temporary) throws IOException {
    if (Files.exists(target)
        && Files.getFileStore(target).supportsFileAttributeView("posix")) {
      Files.setPosixFilePermissions(temporary, Files.getPosixFilePermissions(target));
    }
  }
}
