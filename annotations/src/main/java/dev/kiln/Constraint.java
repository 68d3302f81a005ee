package dev.kiln;

/**
 * Keras' weight constraints, applied to a kernel after every update. The norms are those of each
 * output unit's incoming weights: over every axis but the last (Keras' {@code axis=0} for Dense,
 * {@code axis=[0, 1, 2]} for Conv2D as its documentation advises).
 */
public enum Constraint {
  /** No constraint. */
  NONE,
  /** Keras' {@code MaxNorm(maxValue)}: each unit's weights scaled down to at most that norm. */
  MAX_NORM,
  /** Keras' {@code NonNeg}: negative weights set to 0. */
  NON_NEG,
  /** Keras' {@code UnitNorm}: each unit's weights scaled to norm 1. */
  UNIT_NORM
}
