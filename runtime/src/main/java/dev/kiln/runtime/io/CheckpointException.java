package dev.kiln.runtime.io;

import java.io.IOException;

/** A checkpoint file that cannot be loaded into a model: truncated, corrupted or of another model. */
public final class CheckpointException extends IOException {

  public CheckpointException(String message) {
    super(message);
  }
}
