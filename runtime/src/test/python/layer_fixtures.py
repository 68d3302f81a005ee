"""Writes the PyTorch reference values the tests of the newer layers compare Kiln's kernels with.

Run from the repository root with PyTorch installed (Debian: apt-get install python3-torch):

    /usr/bin/python3 runtime/src/test/python/layer_fixtures.py

It rewrites runtime/src/test/resources/dev/kiln/runtime/kernels/torch-fixtures.txt: fixed inputs
(drawn from a fixed seed), float64 forward values and the gradients of sum(output * r) for a
fixed random r, one named row of numbers per line, so that the tests run without Python.

Where Keras and PyTorch differ, Kiln follows Keras, and this script passes Keras' constants to
PyTorch: leaky_relu's slope 0.2 (the activation) and 0.3 (the LeakyReLU layer) rather than
PyTorch's 0.01; LayerNormalization's epsilon 1e-3 rather than 1e-5; ELU's alpha 1; Dot's
normalize as Keras 3's x / max(||x||, 1e-7). GELU exact is PyTorch's default and GELU_TANH its
approximate='tanh'; SELU's constants and the hard sigmoid (Keras 3: relu6(x + 3) / 6) are the
same in both.
"""

from pathlib import Path

import torch
import torch.nn.functional as F

OUT = Path("runtime/src/test/resources/dev/kiln/runtime/kernels/torch-fixtures.txt")
torch.manual_seed(14)
torch.set_default_dtype(torch.float64)
rows = {}


def put(name, tensor):
    rows[name] = tensor.detach().reshape(-1).tolist()


def leaf(tensor):
    return tensor.clone().requires_grad_(True)


# Activations: 40 values over [-6, 6] and the points where a kink or a branch sits.
x = torch.cat([torch.linspace(-6, 6, 40), torch.tensor([-3.0, 3.0, 0.0, -0.5, 0.5, 1e-3])])
r = torch.randn(x.shape)
put("activation.x", x)
put("activation.r", r)
activations = {
    "GELU": lambda v: F.gelu(v),
    "GELU_TANH": lambda v: F.gelu(v, approximate="tanh"),
    "SILU": F.silu,
    "LEAKY_RELU": lambda v: F.leaky_relu(v, 0.2),
    "LEAKY_RELU_0.3": lambda v: F.leaky_relu(v, 0.3),
    "ELU": lambda v: F.elu(v, alpha=1.0),
    "SELU": F.selu,
    "SOFTPLUS": F.softplus,  # PyTorch's threshold (x > 20 gives x) is outside these inputs
    "SOFTSIGN": F.softsign,
    # Keras 3's own form: F.hardsigmoid is the same function, but its backward multiplies by
    # 1/6 rounded to float32 (off in the 8th digit in float64).
    "HARD_SIGMOID": lambda v: F.relu6(v + 3) / 6,
    "EXPONENTIAL": torch.exp,
}
for name, f in activations.items():
    v = leaf(x)
    y = f(v)
    (y * r).sum().backward()
    put(name + ".y", y)
    put(name + ".dx", v.grad)


def layer_norm(name, shape, normalized, epsilon=1e-3):
    x = torch.randn(shape) * 2 + 1
    gamma = torch.randn(normalized)
    beta = torch.randn(normalized)
    r = torch.randn(shape)
    xs, gs, bs = leaf(x), leaf(gamma), leaf(beta)
    y = F.layer_norm(xs, normalized, gs, bs, eps=epsilon)
    (y * r).sum().backward()
    for key, value in [("x", x), ("gamma", gamma), ("beta", beta), ("r", r), ("y", y),
                       ("dx", xs.grad), ("dgamma", gs.grad), ("dbeta", bs.grad)]:
        put(name + "." + key, value)


# LayerNormalization, Keras' epsilon 1e-3: over the last axis, and over the last two.
layer_norm("layernorm.last", (3, 4, 5), (5,))
layer_norm("layernorm.last2", (2, 3, 4), (3, 4))


def merge(name, f, count, shape=(3, 4)):
    inputs = [torch.randn(shape) for _ in range(count)]
    leaves = [leaf(v) for v in inputs]
    y = f(*leaves)
    r = torch.randn(y.shape)
    (y * r).sum().backward()
    for i, (v, l) in enumerate(zip(inputs, leaves)):
        put(f"{name}.in{i}", v)
        put(f"{name}.d{i}", l.grad)
    put(name + ".r", r)
    put(name + ".y", y)


merge("subtract", lambda a, b: a - b, 2)
merge("average", lambda a, b, c: (a + b + c) / 3, 3)
# Continuous random inputs: no ties (Kiln, like Keras on TensorFlow, gives a tie to the first).
merge("maximum", lambda a, b, c: torch.maximum(torch.maximum(a, b), c), 3)
merge("minimum", lambda a, b, c: torch.minimum(torch.minimum(a, b), c), 3)


def dot(name, shapes, axes, normalize):
    a, b = torch.randn(shapes[0]), torch.randn(shapes[1])
    la, lb = leaf(a), leaf(b)
    # Keras' axes count the batch axis, as torch's dims do here.
    na = F.normalize(la, p=2, dim=axes[0], eps=1e-7) if normalize else la
    nb = F.normalize(lb, p=2, dim=axes[1], eps=1e-7) if normalize else lb
    # Keras' batch_dot: contract the two axes; a's other axes, then b's.
    na = torch.movedim(na, axes[0], -1)
    nb = torch.movedim(nb, axes[1], -1)
    y = torch.einsum("b...k,bjk->b...j", na.reshape(na.shape[0], -1, na.shape[-1]),
                     nb.reshape(nb.shape[0], -1, nb.shape[-1]))
    y = y.reshape(a.shape[0], -1)
    r = torch.randn(y.shape)
    (y * r).sum().backward()
    for key, value in [("a", a), ("b", b), ("r", r), ("y", y), ("da", la.grad),
                       ("db", lb.grad)]:
        put(name + "." + key, value)


dot("dot.vectors", [(4, 5), (4, 5)], (1, 1), False)
dot("dot.cosine", [(4, 5), (4, 5)], (1, 1), True)
dot("dot.matrices", [(2, 3, 5), (2, 4, 5)], (2, 2), False)
dot("dot.matrices12", [(2, 5, 3), (2, 4, 5)], (1, 2), True)

# Softmax over a middle axis of (2, 3, 4) and over the first of (3, 4).
for name, shape, axis in [("softmax.axis1", (2, 3, 4), 1), ("softmax.rows", (5, 3), 1),
                          ("softmax.middle", (2, 4, 3, 2), 2)]:
    x = torch.randn(shape) * 2
    r = torch.randn(shape)
    xs = leaf(x)
    y = torch.softmax(xs, dim=axis)
    (y * r).sum().backward()
    for key, value in [("x", x), ("r", r), ("y", y), ("dx", xs.grad)]:
        put(name + "." + key, value)

with OUT.open("w") as out:
    out.write(f"# PyTorch {torch.__version__}, float64;"
              " written by runtime/src/test/python/layer_fixtures.py\n")
    for name, values in rows.items():
        out.write(name + ": " + " ".join(repr(float(v)) for v in values) + "\n")
print("wrote", OUT, len(rows), "rows")
