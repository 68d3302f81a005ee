package dev.kiln;

/**
 * The type of every layer in a {@link Model} interface: a layer method returns a {@code Tensor}
 * and takes the tensors it reads from as parameters.
 *
 * <p>{@code Tensor} only declares; nobody implements it. The annotation processor reads the
 * interface and generates a model class whose typed accessors hold the real arrays.
 */
public interface Tensor {}
