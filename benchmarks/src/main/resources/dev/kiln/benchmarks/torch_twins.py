"""The benchmark's seed networks written in PyTorch, timed on request of the Java benchmark.

Each twin has the Kiln model's layers, sizes, activations, losses and optimizer, Keras'
initialisation scheme (Glorot uniform kernels, orthogonal recurrent kernels, zero biases, forget
gate bias 1, embeddings uniform in [-0.05, 0.05]), float32, batch 64, and channels-last memory for
the convolutional networks. The batch is random: no kernel here costs more or less for other values.

The Java benchmark (PyTorchTwin.java) starts this script once and talks to it over lines of text,
so that Kiln, DL4J and PyTorch can take turns in blocks within one run:

    build NETWORK BATCH SEED  ->  ok PARAMETERS
    train N                   ->  ms T1 ... TN      (N training steps, each timed)
    predict N                 ->  ms T1 ... TN      (N inference batches, each timed)
    quit

On start it prints "ready torch VERSION THREADS BLAS", or "unavailable REASON" and exits.
"""
import sys
import time
import warnings

try:
    import torch
    from torch import nn
    import torch.nn.functional as F
except Exception as error:  # no torch on this Python: the Java side prints "not run"
    print("unavailable " + type(error).__name__ + ": " + str(error).replace("\n", " "), flush=True)
    sys.exit(0)

THREADS = 2

# Keras' "same" with an even kernel pads one more row and column after than before; PyTorch does the
# same through a padded copy, and warns about it every time.
warnings.filterwarnings("ignore", message="Using padding='same' with even kernel")


def glorot(linear):
    nn.init.xavier_uniform_(linear.weight)
    if linear.bias is not None:
        nn.init.zeros_(linear.bias)
    return linear


def dense(inputs, units):
    return glorot(nn.Linear(inputs, units))


def conv(channels, filters, kernel, padding="valid"):
    return glorot(nn.Conv2d(channels, filters, kernel, padding=padding))


def lstm(inputs, units):
    layer = nn.LSTM(inputs, units, batch_first=True)
    nn.init.xavier_uniform_(layer.weight_ih_l0)
    nn.init.orthogonal_(layer.weight_hh_l0)
    nn.init.zeros_(layer.bias_ih_l0)
    nn.init.zeros_(layer.bias_hh_l0)
    with torch.no_grad():
        layer.bias_ih_l0[units:2 * units] = 1.0  # Keras' unit_forget_bias
    return layer


def flatten(image):
    """Keras' Flatten of a channels-last image: height, width, channels; a view of channels-last memory."""
    return image.permute(0, 2, 3, 1).flatten(1)


def softmax_cross_entropy(logits, one_hot):
    return -(one_hot * F.log_softmax(logits, dim=-1)).sum(-1).mean()


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden1, self.hidden2, self.hidden3 = dense(784, 512), dense(512, 216), dense(216, 128)
        self.output = dense(128, 10)

    def forward(self, x):
        return self.output(F.relu(self.hidden3(F.relu(self.hidden2(F.relu(self.hidden1(x)))))))


class CnnFlat(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = conv(1, 128, 4, "same"), conv(128, 64, 4, "same")
        self.dropped = nn.Dropout(0.3)
        self.hidden1, self.output = dense(7 * 7 * 64, 64), dense(64, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.output(F.relu(self.hidden1(self.dropped(flatten(x)))))


class Cnn(nn.Module):
    """The seed's CNN: Dense on the last axis of (n, 4, 4, 64), a softmax per pixel."""

    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = conv(1, 128, 4), conv(128, 64, 4)
        self.hidden1, self.output = dense(64, 64), dense(64, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2).permute(0, 2, 3, 1)
        return self.output(F.relu(self.hidden1(x)))


class SharedInput(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = conv(1, 32, 4), conv(1, 16, 8)
        self.hidden1, self.output = dense(12 * 12 * 32 + 10 * 10 * 16, 64), dense(64, 10)

    def forward(self, x):
        flat1 = flatten(F.max_pool2d(F.relu(self.conv1(x)), 2))
        flat2 = flatten(F.max_pool2d(F.relu(self.conv2(x)), 2))
        return self.output(F.relu(self.hidden1(torch.cat([flat1, flat2], 1))))


class MultipleInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv11, self.conv12 = conv(1, 32, 4), conv(32, 16, 4)
        self.conv21, self.conv22 = conv(3, 32, 4), conv(32, 16, 4)
        self.hidden1 = dense(13 * 13 * 16 + 5 * 5 * 16, 128)
        self.hidden2, self.output = dense(128, 64), dense(64, 10)

    def forward(self, gray, rgb):
        flat1 = flatten(F.max_pool2d(F.relu(self.conv12(F.max_pool2d(F.relu(self.conv11(gray)), 2))), 2))
        flat2 = flatten(F.max_pool2d(F.relu(self.conv22(F.max_pool2d(F.relu(self.conv21(rgb)), 2))), 2))
        return self.output(F.relu(self.hidden2(F.relu(self.hidden1(torch.cat([flat1, flat2], 1))))))


class LstmClassifier(nn.Module):
    """RnnRows and Rnn: LSTM(128) whose last step feeds Dense 128 and Dense 10."""

    def __init__(self, features):
        super().__init__()
        self.lstm = lstm(features, 128)
        self.hidden1, self.output = dense(128, 128), dense(128, 10)

    def forward(self, x):
        last = self.lstm(x)[0][:, -1]
        return self.output(F.relu(self.hidden1(last)))


class SharedFeatureExtraction(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm1 = lstm(1, 128)
        self.interp1, self.interp21 = dense(128, 10), dense(128, 64)
        self.interp22, self.interp23 = dense(64, 32), dense(32, 10)
        self.output = dense(20, 10)

    def forward(self, x):
        features = self.lstm1(x)[0][:, -1]
        shallow = F.relu(self.interp1(features))
        deep = F.relu(self.interp23(F.relu(self.interp22(F.relu(self.interp21(features))))))
        return self.output(torch.cat([shallow, deep], 1))


class MultipleOutputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.extract, self.class11 = lstm(1, 64), lstm(64, 32)
        self.class12, self.output1, self.output2 = dense(32, 32), dense(32, 10), dense(64, 10)

    def forward(self, x):
        sequence = self.extract(x)[0]
        last = self.class11(sequence)[0][:, -1]
        return self.output1(F.relu(self.class12(last))), self.output2(sequence)


class Headlines(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(10_000, 512)
        nn.init.uniform_(self.embedding.weight, -0.05, 0.05)
        self.lstm = lstm(512, 32)
        self.dense1, self.dense2, self.dense3 = dense(37, 64), dense(64, 64), dense(64, 64)
        self.main_output, self.aux_output = dense(64, 1), dense(32, 1)

    def forward(self, tokens, aux):
        last = self.lstm(self.embedding(tokens))[0][:, -1]
        x = F.relu(self.dense3(F.relu(self.dense2(F.relu(self.dense1(torch.cat([last, aux], 1)))))))
        return self.main_output(x), self.aux_output(last)


class Encoder(nn.Module):
    """TransformerEncoder: self-attention (4 heads of 32, biases), add and LayerNorm (epsilon
    1e-6), Linear 512 with exact GELU, Linear 128, add and LayerNorm, over 64 tokens of 128."""

    def __init__(self):
        super().__init__()
        self.attention = nn.MultiheadAttention(128, 4, batch_first=True)
        nn.init.xavier_uniform_(self.attention.in_proj_weight)
        nn.init.zeros_(self.attention.in_proj_bias)
        glorot(self.attention.out_proj)
        self.attention_norm = nn.LayerNorm(128, eps=1e-6)
        self.feed_forward, self.projected = dense(128, 512), dense(512, 128)
        self.out_norm = nn.LayerNorm(128, eps=1e-6)

    def forward(self, x):
        attended, _ = self.attention(x, x, x, need_weights=False)
        x = self.attention_norm(x + attended)
        return self.out_norm(x + self.projected(F.gelu(self.feed_forward(x))))


def image(batch, height, width, channels):
    return torch.rand(batch, channels, height, width).contiguous(memory_format=torch.channels_last)


def one_hot(*shape):
    return F.one_hot(torch.randint(shape[-1], shape[:-1]), shape[-1]).float()


def classifier(model, inputs, target):
    """A twin with one softmax output: (model, inputs, loss of the logits, outputs for predict)."""
    return model, inputs, lambda logits: softmax_cross_entropy(logits, target), \
        lambda logits: F.softmax(logits, -1)


def build(network, batch):
    if network == "mlp":
        return classifier(Mlp(), [torch.rand(batch, 784)], one_hot(batch, 10))
    if network == "cnnflat":
        return classifier(CnnFlat(), [image(batch, 28, 28, 1)], one_hot(batch, 10))
    if network == "cnn":
        return classifier(Cnn(), [image(batch, 28, 28, 1)], one_hot(batch, 4, 4, 10))
    if network == "sharedinput":
        return classifier(SharedInput(), [image(batch, 28, 28, 1)], one_hot(batch, 10))
    if network == "multipleinputs":
        return classifier(MultipleInputs(), [image(batch, 64, 64, 1), image(batch, 32, 32, 3)],
                          one_hot(batch, 10))
    if network == "rnnrows":
        return classifier(LstmClassifier(28), [torch.rand(batch, 28, 28)], one_hot(batch, 10))
    if network == "rnn":
        return classifier(LstmClassifier(1), [torch.rand(batch, 784, 1)], one_hot(batch, 10))
    if network == "sharedfeatures":
        return classifier(SharedFeatureExtraction(), [torch.rand(batch, 784, 1)], one_hot(batch, 10))
    if network == "multipleoutputs":
        per_sequence, per_step = one_hot(batch, 10), one_hot(batch, 784, 10)
        return MultipleOutputs(), [torch.rand(batch, 784, 1)], \
            lambda out: softmax_cross_entropy(out[0], per_sequence) + softmax_cross_entropy(out[1], per_step), \
            lambda out: (F.softmax(out[0], -1), F.softmax(out[1], -1))
    if network == "headlines":
        main, aux_target = torch.randint(2, (batch, 1)).float(), torch.randint(2, (batch, 1)).float()
        bce = F.binary_cross_entropy_with_logits
        return Headlines(), [torch.randint(10_000, (batch, 100)), torch.rand(batch, 5)], \
            lambda out: bce(out[0], main) + 0.2 * bce(out[1], aux_target), \
            lambda out: (torch.sigmoid(out[0]), torch.sigmoid(out[1]))
    if network == "encoder":
        target = torch.rand(batch, 64, 128) * 2 - 1
        return Encoder(), [torch.rand(batch, 64, 128) * 2 - 1], \
            lambda out: F.mse_loss(out, target), lambda out: out
    raise ValueError("no network " + network)


class Twin:
    """One network with its batch, loss and optimizer (Keras' defaults: Adam, Headlines RMSprop)."""

    def __init__(self, network, batch):
        self.model, self.inputs, self.loss, self.outputs = build(network, batch)
        if network in ("cnnflat", "cnn", "sharedinput", "multipleinputs"):
            self.model = self.model.to(memory_format=torch.channels_last)
        parameters = self.model.parameters()
        self.optimizer = torch.optim.RMSprop(parameters, lr=1e-3, alpha=0.9, eps=1e-7) \
            if network == "headlines" else torch.optim.Adam(parameters, lr=1e-3, eps=1e-7)

    def parameter_count(self):
        return sum(p.numel() for p in self.model.parameters())

    def train_step(self):
        self.model.train()
        self.optimizer.zero_grad(set_to_none=True)
        self.loss(self.model(*self.inputs)).backward()
        self.optimizer.step()

    def predict(self):
        self.model.eval()
        with torch.inference_mode():
            return self.outputs(self.model(*self.inputs))


def timed(action, runs):
    millis = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        millis.append((time.perf_counter() - start) * 1e3)
    return "ms " + " ".join("%.4f" % m for m in millis)


def blas():
    try:
        with open("/proc/self/maps") as maps:
            names = sorted({line.split()[-1] for line in maps if "blas" in line and "/" in line})
        return ",".join(names) or "unknown"
    except OSError:
        return "unknown"


def main():
    torch.set_num_threads(THREADS)
    print("ready torch %s %d %s" % (torch.__version__, torch.get_num_threads(), blas()), flush=True)
    twin = None
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        try:
            if words[0] == "build":
                torch.manual_seed(int(words[3]))
                twin = Twin(words[1], int(words[2]))
                reply = "ok %d" % twin.parameter_count()
            elif words[0] == "train":
                reply = timed(twin.train_step, int(words[1]))
            elif words[0] == "predict":
                reply = timed(twin.predict, int(words[1]))
            elif words[0] == "quit":
                return
            else:
                reply = "error unknown command " + words[0]
        except Exception as error:
            reply = "error " + type(error).__name__ + ": " + str(error).replace("\n", " ")
        print(reply, flush=True)


if __name__ == "__main__":
    main()
