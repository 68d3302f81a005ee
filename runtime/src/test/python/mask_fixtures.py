"""Writes the PyTorch reference values the masked recurrent tests compare Kiln's kernels with.

Run from the repository root with PyTorch installed (Debian: apt-get install python3-torch):

    /usr/bin/python3 runtime/src/test/python/mask_fixtures.py

It rewrites runtime/src/test/resources/dev/kiln/runtime/kernels/torch-mask-fixtures.txt: for each
case, the inputs, mask and weights (from a fixed seed, in Keras' layout), the output and the
float64 gradients of sum(output * r) with respect to the input and every weight, one named row of
numbers per line with a shape row before it, so that the tests run without Python.

The reference is a step loop in torch with Keras' carry semantics for a mask (Keras 3's
RNN(..., zero_output_for_mask=False), its default): over a masked step the state (and an LSTM's
cell) is carried unchanged and the step's output repeats the last one; the layer's last output is
the state after the last unmasked step. PyTorch has no such mask; its packed sequences
(torch.nn.utils.rnn.pack_padded_sequence) skip trailing padding only, and for the samples whose
padding is trailing the script checks that torch.nn.LSTM, GRU and RNN, given the same weights,
end in the same state. Where padding sits in the middle of a sequence only Keras' semantics apply,
and Kiln follows Keras.
"""

from pathlib import Path

import torch

OUT = Path("runtime/src/test/resources/dev/kiln/runtime/kernels/torch-mask-fixtures.txt")
torch.manual_seed(1414)
rows = {}

# Sample 0 reads every step, sample 1 has trailing padding, sample 2 padding in the middle too.
MASK = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 0, 1, 1, 0]], dtype=torch.float64)
TRAILING = [0, 1]


def put(name, tensor):
    tensor = tensor.detach().to(torch.float64)
    rows[name + ".shape"] = [float(size) for size in tensor.shape]
    rows[name] = tensor.reshape(-1).tolist()


def uniform(*shape):
    return (torch.rand(*shape, dtype=torch.float64) * 2 - 1).requires_grad_(True)


def lstm_cell(x, h, c, w, units):
    """Keras' LSTM step: gates i, f, g, o side by side on the kernels' last axis."""
    z = x @ w["kernel"] + h @ w["recurrentKernel"] + w["bias"]
    i = torch.sigmoid(z[:, :units])
    f = torch.sigmoid(z[:, units:2 * units])
    g = torch.tanh(z[:, 2 * units:3 * units])
    o = torch.sigmoid(z[:, 3 * units:])
    c = f * c + i * g
    return o * torch.tanh(c), c


def gru_cell(x, h, c, w, units):
    """Keras' GRU step with reset_after=True: gates z, r, h; input and recurrent biases apart."""
    xz = x @ w["kernel"] + w["bias"][0]
    hz = h @ w["recurrentKernel"] + w["bias"][1]
    z = torch.sigmoid(xz[:, :units] + hz[:, :units])
    r = torch.sigmoid(xz[:, units:2 * units] + hz[:, units:2 * units])
    hh = torch.tanh(xz[:, 2 * units:] + r * hz[:, 2 * units:])
    return z * h + (1 - z) * hh, c


def rnn_cell(x, h, c, w, units):
    """Keras' SimpleRNN step, tanh."""
    return torch.tanh(x @ w["kernel"] + h @ w["recurrentKernel"] + w["bias"]), c


def keras_masked_run(x, mask, w, cell, units, return_sequences, reverse):
    """The layer over x with Keras' mask semantics; the output sequence aligned with x."""
    n, steps, _ = x.shape
    h = torch.zeros(n, units, dtype=torch.float64)
    c = torch.zeros(n, units, dtype=torch.float64)
    outputs = [None] * steps
    order = range(steps - 1, -1, -1) if reverse else range(steps)
    for t in order:
        h_next, c_next = cell(x[:, t], h, c, w, units)
        keep = mask[:, t:t + 1]
        h = keep * h_next + (1 - keep) * h
        c = keep * c_next + (1 - keep) * c
        outputs[t] = h
    return torch.stack(outputs, dim=1) if return_sequences else h


def torch_module_final_state(kind, x, w, units):
    """torch.nn's own layer with the Keras weights, over the trailing-padded samples, packed."""
    lengths = MASK[TRAILING].sum(dim=1).to(torch.int64)
    features = x.shape[-1]
    gates = {"lstm": 4, "gru": 3, "rnn": 1}[kind]
    module = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[kind](
        features, units, batch_first=True, dtype=torch.float64)
    kernel = w["kernel"].detach()
    recurrent = w["recurrentKernel"].detach()
    bias = w["bias"].detach()
    if kind == "gru":
        # torch orders the GRU's gates r, z, n; Keras z, r, h.
        order = torch.cat([torch.arange(units, 2 * units), torch.arange(0, units),
                           torch.arange(2 * units, 3 * units)])
        kernel, recurrent = kernel[:, order], recurrent[:, order]
        input_bias, recurrent_bias = bias[0][order], bias[1][order]
    else:
        input_bias, recurrent_bias = bias, torch.zeros(gates * units, dtype=torch.float64)
    with torch.no_grad():
        module.weight_ih_l0.copy_(kernel.T)
        module.weight_hh_l0.copy_(recurrent.T)
        module.bias_ih_l0.copy_(input_bias)
        module.bias_hh_l0.copy_(recurrent_bias)
    packed = torch.nn.utils.rnn.pack_padded_sequence(
        x.detach()[TRAILING], lengths, batch_first=True, enforce_sorted=False)
    _, state = module(packed)
    return (state[0] if kind == "lstm" else state)[0]


def case(name, kind, units, return_sequences, reverse):
    n, steps, features = MASK.shape[0], MASK.shape[1], 3
    gates = {"lstm": 4, "gru": 3, "rnn": 1}[kind]
    cell = {"lstm": lstm_cell, "gru": gru_cell, "rnn": rnn_cell}[kind]
    x = uniform(n, steps, features)
    w = {
        "kernel": uniform(features, gates * units),
        "recurrentKernel": uniform(units, gates * units),
        "bias": uniform(2, gates * units) if kind == "gru" else uniform(gates * units),
    }
    out = keras_masked_run(x, MASK, w, cell, units, return_sequences, reverse)
    if not reverse:
        last = keras_masked_run(x, MASK, w, cell, units, False, False)
        module_state = torch_module_final_state(kind, x, w, units)
        assert torch.allclose(module_state, last[TRAILING], rtol=0, atol=1e-12), name
        rows[name + ".torchModuleAgrees"] = [1.0]
    r = torch.rand(out.shape, dtype=torch.float64) * 2 - 1
    (out * r).sum().backward()
    rows[name + ".settings"] = [1.0 if return_sequences else 0.0, 1.0 if reverse else 0.0]
    put(name + ".x", x)
    put(name + ".mask", MASK)
    for weight, tensor in w.items():
        put(name + "." + weight, tensor)
    put(name + ".r", r)
    put(name + ".out", out)
    put(name + ".d.x", x.grad)
    for weight, tensor in w.items():
        put(name + ".d." + weight, tensor.grad)


def keras_masked_attention(query, value, key, w, key_dim, query_mask, value_mask, key_mask,
                           causal):
    """Keras 3's MultiHeadAttention given masks, without dropout: its einsum equations, and its
    attention mask (query_mask[i] and value_mask[j] and key_mask[j], and j <= i when causal) as
    -1e9 added to the masked scores before the softmax (Keras' _large_negative_number)."""
    q = torch.einsum("abc,cde->abde", query, w["queryKernel"]) + w["queryBias"]
    k = torch.einsum("abc,cde->abde", key, w["keyKernel"]) + w["keyBias"]
    v = torch.einsum("abc,cde->abde", value, w["valueKernel"]) + w["valueBias"]
    q = q * (1.0 / key_dim ** 0.5)
    scores = torch.einsum("aecd,abcd->acbe", k, q)  # (n, heads, Tq, Tv)
    allowed = torch.ones(scores.shape[0], scores.shape[2], scores.shape[3], dtype=torch.bool)
    if query_mask is not None:
        allowed = allowed & query_mask.bool()[:, :, None]
    if value_mask is not None:
        allowed = allowed & value_mask.bool()[:, None, :]
    if key_mask is not None:
        allowed = allowed & key_mask.bool()[:, None, :]
    if causal:
        allowed = allowed & torch.ones(scores.shape[2], scores.shape[3], dtype=torch.bool).tril()
    scores = scores + (~allowed[:, None]).to(torch.float64) * -1e9
    probabilities = torch.softmax(scores, dim=-1)
    # A query that sees no value step gets -1e9 on every score: in float32, Keras' usual type,
    # they round to one value and the row is uniform (in float64 about 1e-7 of the scores'
    # differences survive, a softmax of rounding noise). Kiln keeps float32's answer.
    sees_none = ~allowed.any(dim=-1)[:, None, :, None]
    probabilities = torch.where(sees_none, torch.full_like(probabilities, 1.0 / scores.shape[-1]),
                                probabilities)
    context = torch.einsum("acbe,aecd->abcd", probabilities, v)
    return torch.einsum("abcd,cde->abe", context, w["outputKernel"]) + w["outputBias"], probabilities


def torch_module_padded_attention(query, value, w, heads, key_dim, value_mask):
    """torch.nn.MultiheadAttention with the Keras weights and key_padding_mask."""
    features = query.shape[-1]
    module = torch.nn.MultiheadAttention(features, heads, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        projections = [w[name].detach().reshape(features, heads * key_dim).T
                       for name in ("queryKernel", "keyKernel", "valueKernel")]
        module.in_proj_weight.copy_(torch.cat(projections, dim=0))
        module.in_proj_bias.copy_(torch.cat([w[name].detach().reshape(-1)
                                             for name in ("queryBias", "keyBias", "valueBias")]))
        module.out_proj.weight.copy_(w["outputKernel"].detach().reshape(heads * key_dim, features).T)
        module.out_proj.bias.copy_(w["outputBias"].detach())
    out, _ = module(query.detach(), value.detach(), value.detach(),
                    key_padding_mask=~value_mask.bool(), need_weights=False)
    return out


def attention_case(name, n, tq, tv, features, heads, key_dim, query_mask, value_mask, key_mask,
                   causal, self_attention):
    query = uniform(n, tq, features)
    value = query if self_attention else uniform(n, tv, features)
    key = value if key_mask is None else uniform(n, tv, features)
    w = {
        "queryKernel": uniform(features, heads, key_dim),
        "queryBias": uniform(heads, key_dim),
        "keyKernel": uniform(features, heads, key_dim),
        "keyBias": uniform(heads, key_dim),
        "valueKernel": uniform(features, heads, key_dim),
        "valueBias": uniform(heads, key_dim),
        "outputKernel": uniform(heads, key_dim, features),
        "outputBias": uniform(features),
    }
    out, probabilities = keras_masked_attention(query, value, key, w, key_dim, query_mask,
                                                value_mask, key_mask, causal)
    if query_mask is None and key_mask is None and not causal and heads * key_dim == features:
        module_out = torch_module_padded_attention(query, value, w, heads, key_dim, value_mask)
        assert torch.allclose(module_out, out, rtol=0, atol=1e-12), name
        rows[name + ".torchModuleAgrees"] = [1.0]
    r = torch.rand(out.shape, dtype=torch.float64) * 2 - 1
    (out * r).sum().backward()
    rows[name + ".settings"] = [float(heads), float(key_dim), float(key_dim),
                                1.0 if causal else 0.0]
    put(name + ".query", query)
    if not self_attention:
        put(name + ".value", value)
    if key is not value:
        put(name + ".key", key)
    for role, mask in (("queryMask", query_mask), ("valueMask", value_mask),
                       ("keyMask", key_mask)):
        if mask is not None:
            put(name + "." + role, mask)
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


PADDED = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 1, 1, 0]], dtype=torch.float64)
# Cross-attention to padded values, as torch's key_padding_mask does: torch's module too.
attention_case("attentionKeyPadding", 3, 4, 5, 4, 2, 2, None, PADDED, None, False, False)
# Self-attention of a padded sequence, as Keras masks it: padded queries attend to nothing, so
# every score of their rows is masked, and the row is uniform (as Keras in float32); torch's
# module would give NaN there.
attention_case("attentionSelfPadded", 3, 5, 5, 4, 2, 3, PADDED, PADDED, None, False, True)
# Causal self-attention of a padded sequence, and a key of its own with its own padding.
attention_case("attentionCausalKeyMask", 3, 5, 5, 3, 1, 2, PADDED, PADDED,
               torch.tensor([[1, 0, 1, 1, 1], [1, 1, 1, 1, 0], [1, 1, 1, 1, 1]],
                            dtype=torch.float64), True, False)

case("lstmSequences", "lstm", 3, True, False)
case("lstmLast", "lstm", 2, False, False)
case("lstmReverse", "lstm", 3, True, True)
case("gruSequences", "gru", 3, True, False)
case("gruLastReverse", "gru", 2, False, True)
case("rnnSequences", "rnn", 3, True, False)
case("rnnLast", "rnn", 2, False, False)

OUT.parent.mkdir(parents=True, exist_ok=True)
with OUT.open("w") as out:
    out.write(f"# torch {torch.__version__}; written by runtime/src/test/python/mask_fixtures.py\n")
    for name, values in rows.items():
        out.write(name + ": " + " ".join(repr(float(v)) for v in values) + "\n")
print("wrote", OUT)
