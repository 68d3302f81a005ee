"""Times one transformer encoder block in PyTorch, as the benchmark's Kiln model builds it.

Run by dev.kiln.benchmarks.EncoderBenchmark with Debian's python3-torch (/usr/bin/python3):

    /usr/bin/python3 benchmarks/src/main/python/encoder_block.py RUNS WARMUP

The block is TransformerClassifier.Encoder at TransformerEncoder's size: 64 tokens of 128
features, multi-head self-attention (4 heads of 32, biases), add and LayerNorm (epsilon 1e-6),
Linear(128, 512) with exact GELU, Linear(512, 128), add and LayerNorm; batch 64, float32, Adam,
mean squared error against a fixed target. Prints the parameter count and each run's
milliseconds, for the Java side to take medians of.
"""

import sys
import time

import torch

BATCH, STEPS, WIDTH, HEADS, HIDDEN = 64, 64, 128, 4, 512


class Encoder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.attention = torch.nn.MultiheadAttention(WIDTH, HEADS, batch_first=True)
        self.attention_norm = torch.nn.LayerNorm(WIDTH, eps=1e-6)
        self.feed_forward = torch.nn.Linear(WIDTH, HIDDEN)
        self.projected = torch.nn.Linear(HIDDEN, WIDTH)
        self.out_norm = torch.nn.LayerNorm(WIDTH, eps=1e-6)

    def forward(self, x):
        attended, _ = self.attention(x, x, x, need_weights=False)
        x = self.attention_norm(x + attended)
        fed = self.projected(torch.nn.functional.gelu(self.feed_forward(x)))
        return self.out_norm(x + fed)


def main():
    runs, warmup = int(sys.argv[1]), int(sys.argv[2])
    torch.manual_seed(7)
    model = Encoder()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(BATCH, STEPS, WIDTH) * 2 - 1
    y = torch.rand(BATCH, STEPS, WIDTH) * 2 - 1

    def train_step():
        optimizer.zero_grad(set_to_none=False)
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()

    def predict():
        with torch.no_grad():
            model.eval()
            model(x)
            model.train()

    print("threads", torch.get_num_threads())
    print("parameters", sum(p.numel() for p in model.parameters()))
    for name, action in (("train", train_step), ("predict", predict)):
        for _ in range(warmup):
            action()
        for _ in range(runs):
            start = time.perf_counter()
            action()
            print(name, (time.perf_counter() - start) * 1e3)


if __name__ == "__main__":
    main()
