package dev.kiln.runtime;

/** How much {@code fit} prints, Keras' {@code verbose}. */
public enum Verbosity {
  /** Nothing (Keras' 0). */
  SILENT,
  /** A live progress bar per epoch (Keras' 1). */
  PROGRESS_BAR,
  /** One line per epoch (Keras' 2). */
  ONE_LINE_PER_EPOCH,
  /** A progress bar on a terminal, one line per epoch otherwise (logs, CI). */
  AUTO
}
