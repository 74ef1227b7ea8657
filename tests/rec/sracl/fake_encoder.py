"""A tiny deterministic text encoder for tests: hashed bag of words, L2-normalised."""

from __future__ import annotations

import hashlib

import torch


class BagOfWordsEncoder:
    """Texts sharing words get similar vectors; ``calls`` counts encode() invocations."""

    def __init__(self, dim: int = 512, name: str = "bow-test"):
        self.dim = dim
        self.name = name
        self.calls = 0

    def encode(self, texts):
        self.calls += 1
        out = torch.zeros(len(texts), self.dim)
        for row, text in enumerate(texts):
            for word in text.lower().replace("<", " ").replace(">", " ").replace(";", " ").split():
                h = int(hashlib.md5(word.encode()).hexdigest(), 16)
                out[row, h % self.dim] += 1.0
        return torch.nn.functional.normalize(out, dim=1)
