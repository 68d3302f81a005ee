package dev.kiln.runtime.kernels;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For tests of lanes kernels against their plain loops: every {@link LanesGate} lets calls through
 * whole during each test (cold calls would run only a chunk in lanes; LanesGateTest tests that
 * split), and measures again after it.
 */
final class WholeLanes implements BeforeEachCallback, AfterEachCallback {

  @Override
  public void beforeEach(ExtensionContext context) {
    LanesGate.force(true);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    LanesGate.force(null);
  }
}
