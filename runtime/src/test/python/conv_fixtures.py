"""Writes the PyTorch reference values the 1-D and depthwise kernels' tests compare Kiln with.

Run from the repository root with PyTorch installed (Debian: apt-get install python3-torch):

    /usr/bin/python3 runtime/src/test/python/conv_fixtures.py

It rewrites runtime/src/test/resources/dev/kiln/runtime/kernels/torch-conv-fixtures.txt: for each
case its sizes, the inputs and weights (drawn from a fixed seed), the forward output, and the
gradients of sum(out * r) for a fixed random r, all float64, one named row per line, so that
the tests run without Python.

Every array is written in Keras' layout, channels last: sequences (n, steps, channels), images
(n, h, w, channels), Conv1D kernels (size, channels, filters), depthwise kernels (kh, kw,
channels, multiplier), pointwise kernels (1, 1, channels * multiplier, filters). The script
converts to PyTorch's channels-first layouts and back. Keras' padding is written out here rather
than taken from PyTorch's: 'same' pads max((out - 1) * stride + extent - in, 0) in all, the odd
one after the last step (TensorFlow's rule; PyTorch's padding='same' takes no strides), and
'causal' pads (size - 1) * dilation before the first step only. A same-padded average pooling
divides by the steps inside the sequence, as TensorFlow does (PyTorch's count_include_pad=False
for the symmetric case).
"""

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

OUT = Path("runtime/src/test/resources/dev/kiln/runtime/kernels/torch-conv-fixtures.txt")
torch.set_default_dtype(torch.float64)
gen = torch.Generator().manual_seed(14)
rows = {}


def put(name, values):
    rows[name] = np.asarray(values.detach().numpy() if torch.is_tensor(values) else values,
                            dtype=np.float64).ravel()


def uniform(*shape):
    return (torch.rand(*shape, generator=gen) * 2 - 1).requires_grad_(True)


def pads(length, size, stride, dilation, padding):
    """(before, after) zeros for one axis, by Keras' rules."""
    extent = (size - 1) * dilation + 1
    if padding == "valid":
        return 0, 0
    if padding == "causal":
        return extent - 1, 0
    out = -(-length // stride)
    total = max((out - 1) * stride + extent - length, 0)
    return total // 2, total - total // 2


def record(name, sizes, inputs, out):
    """Writes sizes, inputs and out, then the gradients of sum(out * r) for each input."""
    put(name + ".sizes", sizes)
    r = torch.rand(*out.shape, generator=gen) * 2 - 1
    (out * r).sum().backward()
    put(name + ".out", out)
    put(name + ".r", r)
    for label, tensor in inputs.items():
        put(name + "." + label, tensor)
        put(name + ".d" + label, tensor.grad)


def conv1d(name, n, steps, c, f, size, stride, dilation, padding, bias=True):
    x, kernel = uniform(n, steps, c), uniform(size, c, f)
    b = uniform(f) if bias else None
    before, after = pads(steps, size, stride, dilation, padding)
    xt = F.pad(x.permute(0, 2, 1), (before, after))
    out = F.conv1d(xt, kernel.permute(2, 1, 0), b, stride=stride, dilation=dilation)
    inputs = {"x": x, "kernel": kernel}
    if bias:
        inputs["bias"] = b
    record(name, [n, steps, c, f, size, stride, dilation, bias], inputs, out.permute(0, 2, 1))


def pool1d(name, kind, n, steps, c, size, stride, padding):
    x = uniform(n, steps, c)
    before, after = pads(steps, size, stride, 1, padding)
    xt = x.permute(0, 2, 1)
    if kind == "max":
        out = F.max_pool1d(F.pad(xt, (before, after), value=-float("inf")), size, stride)
    else:
        sums = F.avg_pool1d(F.pad(xt, (before, after)), size, stride) * size
        inside = F.avg_pool1d(F.pad(torch.ones_like(xt), (before, after)), size, stride) * size
        out = sums / inside
    record(name, [n, steps, c, size, stride], {"x": x}, out.permute(0, 2, 1))


def depthwise(name, n, h, w, c, multiplier, size, stride, dilation, padding, bias=True,
              filters=0):
    """A DepthwiseConv2D, or with filters > 0 a SeparableConv2D."""
    x, kernel = uniform(n, h, w, c), uniform(size[0], size[1], c, multiplier)
    top, bottom = pads(h, size[0], stride[0], dilation[0], padding)
    left, right = pads(w, size[1], stride[1], dilation[1], padding)
    xt = F.pad(x.permute(0, 3, 1, 2), (left, right, top, bottom))
    # Keras' depthwise output channel i * multiplier + m is PyTorch's grouped filter of the same index.
    weight = kernel.permute(2, 3, 0, 1).reshape(c * multiplier, 1, size[0], size[1])
    inputs = {"x": x, "depthwiseKernel": kernel}
    if filters == 0:
        b = uniform(c * multiplier) if bias else None
        out = F.conv2d(xt, weight, b, stride=stride, dilation=dilation, groups=c)
    else:
        pointwise = uniform(1, 1, c * multiplier, filters)
        b = uniform(filters) if bias else None
        mid = F.conv2d(xt, weight, None, stride=stride, dilation=dilation, groups=c)
        out = F.conv2d(mid, pointwise.permute(3, 2, 0, 1), b)
        inputs["pointwiseKernel"] = pointwise
    if bias:
        inputs["bias"] = b
    record(name, [n, h, w, c, multiplier, size[0], size[1], stride[0], stride[1], dilation[0],
                  dilation[1], bias, filters], inputs, out.permute(0, 2, 3, 1))


conv1d("conv1d.valid", 2, 7, 3, 2, 3, 1, 1, "valid")
conv1d("conv1d.validStrided", 2, 8, 2, 3, 3, 2, 1, "valid")
conv1d("conv1d.validDilated", 2, 9, 2, 2, 3, 1, 2, "valid", bias=False)
conv1d("conv1d.same", 2, 7, 3, 2, 3, 1, 1, "same")
conv1d("conv1d.sameEvenStrided", 2, 9, 2, 3, 4, 2, 1, "same")
conv1d("conv1d.sameDilated", 1, 8, 2, 2, 3, 1, 2, "same")
conv1d("conv1d.causal", 2, 7, 3, 2, 3, 1, 1, "causal")
conv1d("conv1d.causalDilated", 2, 8, 2, 3, 2, 1, 3, "causal")
conv1d("conv1d.causalStrided", 2, 9, 2, 2, 3, 2, 1, "causal", bias=False)
pool1d("maxPooling1d.valid", "max", 2, 7, 3, 2, 2, "valid")
pool1d("maxPooling1d.same", "max", 2, 7, 2, 3, 2, "same")
pool1d("averagePooling1d.valid", "average", 2, 8, 3, 3, 1, "valid")
pool1d("averagePooling1d.same", "average", 2, 7, 2, 3, 2, "same")

x = uniform(2, 6, 3)
record("globalMaxPooling1d", [2, 6, 3], {"x": x}, x.amax(dim=1))
x = uniform(2, 6, 3)
record("globalAveragePooling1d", [2, 6, 3], {"x": x}, x.mean(dim=1))
x = uniform(2, 4, 3)
record("upSampling1d", [2, 4, 3, 3], {"x": x}, x.repeat_interleave(3, dim=1))

depthwise("depthwiseConv2d.valid", 2, 6, 5, 3, 1, (3, 3), (1, 1), (1, 1), "valid")
depthwise("depthwiseConv2d.multiplier", 2, 6, 5, 2, 3, (3, 2), (1, 1), (1, 1), "valid")
depthwise("depthwiseConv2d.sameStrided", 2, 7, 6, 2, 2, (3, 3), (2, 2), (1, 1), "same")
depthwise("depthwiseConv2d.sameDilated", 1, 7, 7, 2, 2, (3, 2), (1, 1), (2, 2), "same",
          bias=False)
depthwise("separableConv2d.valid", 2, 6, 5, 3, 1, (3, 3), (1, 1), (1, 1), "valid", filters=4)
depthwise("separableConv2d.sameStrided", 2, 7, 6, 2, 2, (3, 3), (2, 2), (1, 1), "same",
          filters=3)
depthwise("separableConv2d.dilatedNoBias", 1, 7, 7, 2, 3, (2, 3), (1, 1), (2, 1), "same",
          bias=False, filters=2)

with OUT.open("w") as out:
    out.write(f"# PyTorch {torch.__version__}, float64; written by"
              " runtime/src/test/python/conv_fixtures.py\n")
    for name, values in rows.items():
        out.write(name + ": " + " ".join(repr(float(v)) for v in values) + "\n")
print("wrote", OUT)
