"""Writes the PyTorch reference values the attention tests compare Kiln's MultiHeadAttention with.

Run from the repository root with PyTorch installed (Debian: apt-get install python3-torch):

    /usr/bin/python3 runtime/src/test/python/attention_fixtures.py

It rewrites runtime/src/test/resources/dev/kiln/runtime/kernels/torch-attention-fixtures.txt:
for each case, the inputs and weights (drawn from a fixed seed, in Keras' layout), the output,
the attention probabilities, and the float64 gradients of sum(output * r) with respect to every
input and weight, one named row of numbers per line with a shape row before it, so that the
tests run without Python.

The reference is Keras' definition of MultiHeadAttention written with torch.einsum (Keras'
equations and weight layout). Where torch.nn.MultiheadAttention computes the same function
(heads * keyDim = heads * valueDim = the query's features, value and key of those features too,
output back to them), the script also runs it with the Keras weights copied in and checks that it
agrees; Keras and PyTorch differ otherwise (PyTorch has no separate keyDim, valueDim and output
size), and there Kiln follows Keras.
"""

from pathlib import Path

import torch

OUT = Path("runtime/src/test/resources/dev/kiln/runtime/kernels/torch-attention-fixtures.txt")
torch.manual_seed(14)
rows = {}


def put(name, tensor):
    tensor = tensor.detach().to(torch.float64)
    rows[name + ".shape"] = [float(size) for size in tensor.shape]
    rows[name] = tensor.reshape(-1).tolist()


def uniform(*shape):
    return (torch.rand(*shape, dtype=torch.float64) * 2 - 1).requires_grad_(True)


def keras_attention(query, value, key, w, heads, key_dim, causal):
    """Keras' MultiHeadAttention call, without dropout (einsum equations of keras.layers)."""
    q = torch.einsum("abc,cde->abde", query, w["queryKernel"]) + w["queryBias"]
    k = torch.einsum("abc,cde->abde", key, w["keyKernel"]) + w["keyBias"]
    v = torch.einsum("abc,cde->abde", value, w["valueKernel"]) + w["valueBias"]
    q = q * (1.0 / key_dim ** 0.5)
    scores = torch.einsum("aecd,abcd->acbe", k, q)  # (n, heads, Tq, Tv)
    if causal:
        tq, tv = scores.shape[-2], scores.shape[-1]
        allowed = torch.ones(tq, tv, dtype=torch.bool).tril()
        # Keras adds -1e9 where the mask is 0 before the softmax.
        scores = scores + (~allowed).to(torch.float64) * -1e9
    probabilities = torch.softmax(scores, dim=-1)
    context = torch.einsum("acbe,aecd->abcd", probabilities, v)  # (n, Tq, heads, valueDim)
    out = torch.einsum("abcd,cde->abe", context, w["outputKernel"]) + w["outputBias"]
    return out, probabilities


def torch_module_attention(x, w, heads, key_dim, causal):
    """torch.nn.MultiheadAttention on x as query, key and value, with the Keras weights."""
    features = x.shape[-1]
    module = torch.nn.MultiheadAttention(features, heads, batch_first=True,
                                         dtype=torch.float64)
    with torch.no_grad():
        projections = [w[name].reshape(features, heads * key_dim).T
                       for name in ("queryKernel", "keyKernel", "valueKernel")]
        module.in_proj_weight.copy_(torch.cat(projections, dim=0))
        module.in_proj_bias.copy_(torch.cat([w[name].reshape(-1)
                                             for name in ("queryBias", "keyBias", "valueBias")]))
        module.out_proj.weight.copy_(w["outputKernel"].reshape(heads * key_dim, features).T)
        module.out_proj.bias.copy_(w["outputBias"])
    mask = None
    if causal:
        steps = x.shape[1]
        mask = torch.ones(steps, steps, dtype=torch.bool).triu(1)  # True: not attended
    out, _ = module(x, x, x, attn_mask=mask, need_weights=False)
    return out


def case(name, n, tq, tv, query_dim, value_dim, key_dim_in, heads, key_dim, value_dim_head,
         output_dim, causal, self_attention):
    query = uniform(n, tq, query_dim)
    value = query if self_attention else uniform(n, tv, value_dim)
    key = query if self_attention else (value if key_dim_in is None else uniform(n, tv, key_dim_in))
    w = {
        "queryKernel": uniform(query_dim, heads, key_dim),
        "queryBias": uniform(heads, key_dim),
        "keyKernel": uniform(key.shape[-1], heads, key_dim),
        "keyBias": uniform(heads, key_dim),
        "valueKernel": uniform(value.shape[-1], heads, value_dim_head),
        "valueBias": uniform(heads, value_dim_head),
        "outputKernel": uniform(heads, value_dim_head, output_dim),
        "outputBias": uniform(output_dim),
    }
    out, probabilities = keras_attention(query, value, key, w, heads, key_dim, causal)
    r = torch.rand(out.shape, dtype=torch.float64) * 2 - 1
    (out * r).sum().backward()
    if self_attention and heads * key_dim == query_dim == heads * value_dim_head == output_dim:
        module_out = torch_module_attention(query.detach(), w, heads, key_dim, causal)
        assert torch.allclose(module_out, out, rtol=0, atol=1e-12), name
        rows[name + ".torchModuleAgrees"] = [1.0]
    rows[name + ".settings"] = [float(heads), float(key_dim), float(value_dim_head),
                                1.0 if causal else 0.0]
    put(name + ".query", query)
    if not self_attention:
        put(name + ".value", value)
        if key is not value:
            put(name + ".key", key)
    for weight, tensor in w.items():
        put(name + "." + weight, tensor)
    put(name + ".r", r)
    put(name + ".out", out)
    put(name + ".scores", probabilities)
    put(name + ".d.query", query.grad)
    if not self_attention:
        put(name + ".d.value", value.grad)
        if key is not value:
            put(name + ".d.key", key.grad)
    for weight, tensor in w.items():
        put(name + ".d." + weight, tensor.grad)


# Self-attention as a transformer encoder has it (heads * keyDim = features): torch's module too.
case("self", n=2, tq=4, tv=4, query_dim=6, value_dim=6, key_dim_in=None, heads=2, key_dim=3,
     value_dim_head=3, output_dim=6, causal=False, self_attention=True)
# The same with Keras' use_causal_mask.
case("causal", n=2, tq=5, tv=5, query_dim=4, value_dim=4, key_dim_in=None, heads=2, key_dim=2,
     value_dim_head=2, output_dim=4, causal=True, self_attention=True)
# Cross-attention with a key of its own, valueDim != keyDim and another output size: Keras only.
case("cross", n=2, tq=3, tv=5, query_dim=4, value_dim=4, key_dim_in=2, heads=3, key_dim=2,
     value_dim_head=3, output_dim=5, causal=False, self_attention=False)
# Causal cross-attention of a shorter query, the value as key.
case("causalCross", n=1, tq=3, tv=4, query_dim=3, value_dim=3, key_dim_in=None, heads=2,
     key_dim=4, value_dim_head=2, output_dim=3, causal=True, self_attention=False)

OUT.parent.mkdir(parents=True, exist_ok=True)
with OUT.open("w") as out:
    out.write(f"# torch {torch.__version__}; written by runtime/src/test/python/attention_fixtures.py\n")
    for name, values in rows.items():
        out.write(name + ": " + " ".join(repr(float(v)) for v in values) + "\n")
print("wrote", OUT)
