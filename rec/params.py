"""Hyperparameters of SASRec, CL4SRec and MCLRec (defaults: the papers / official code).

Each model's params hold four sections (issue #16): ``model`` (the architecture and loss
hyperparameters, one dataclass per model), ``train`` (:class:`RecTrain`: optimiser, batching,
epochs, early stopping), ``eval`` (:class:`RecEval`) and ``smoke`` (:class:`Smoke`: settings for
smoke tests and truncated benchmark runs). A config writes them as ``params.model.hidden_size``,
``params.train.learning_rate``, ... Every dataclass validates itself in ``__post_init__`` and
names the valid range on error.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field, fields
from typing import Literal


def check_choices(obj) -> None:
    """Every ``Literal``-typed field of the dataclass ``obj`` holds one of its choices."""
    hints = typing.get_type_hints(type(obj))
    for f in fields(obj):
        hint = hints[f.name]
        if typing.get_origin(hint) is Literal and getattr(obj, f.name) not in typing.get_args(hint):
            raise ValueError(f"{f.name} must be one of {list(typing.get_args(hint))}, got {getattr(obj, f.name)!r}")


def _check_positive_ints(obj, names) -> None:
    for name in names:
        value = getattr(obj, name)
        if value < 1:
            raise ValueError(f"{name} must be >= 1, got {value}")


def _check_unit_interval(obj, names, closed_right: bool = True) -> None:
    for name in names:
        value = getattr(obj, name)
        if not (0.0 <= value <= 1.0 if closed_right else 0.0 <= value < 1.0):
            raise ValueError(f"{name} must lie in [0, 1{']' if closed_right else ')'}, got {value}")


@dataclass
class RecTrain:
    """Training settings shared by the sequential recommenders (``params.train``).

    Args:
        learning_rate: Adam learning rate (1e-3).
        weight_decay: Adam weight decay (0).
        train_batch_size: training batch (256).
        epochs: maximum epochs (200; early stopping usually ends earlier).
        stopping_step: early-stopping patience in evaluations without a better validation NDCG@20 (10).
        eval_step: validate every this many epochs (1).
        batching: ``bucketed`` (rows of similar length batched together, each batch trimmed to
            its longest row: same examples, a fraction of the padding) or ``random`` (plain
            shuffled batches, every batch as wide as its longest row too).
        train_targets: ``prefixes`` (one example per training prefix, its next item: the
            CL4SRec / MCLRec / SRA-CL protocol) or ``all_positions`` (one row per user, its last
            ``max_seq_length`` training items, next-item loss at every position under the
            causal mask: the original SASRec objective; about 6x fewer rows on Beauty).
        gather_negatives: under torchrun (several processes) the contrastive losses take their
            in-batch negatives from every rank's rows, as one process with the whole batch does
            (``NTXent(gather_distributed=True)``); off (default), each rank's own rows only.
            No effect in a single process.
    """

    learning_rate: float = 1e-3
    weight_decay: float = 0.0
    train_batch_size: int = 256
    epochs: int = 200
    stopping_step: int = 10
    eval_step: int = 1
    batching: Literal["bucketed", "random"] = "bucketed"
    train_targets: Literal["prefixes", "all_positions"] = "prefixes"
    gather_negatives: bool = False

    def __post_init__(self):
        check_choices(self)
        _check_positive_ints(self, ("train_batch_size", "epochs", "stopping_step", "eval_step"))
        if self.learning_rate <= 0:
            raise ValueError(f"learning_rate must be > 0, got {self.learning_rate}")
        if self.weight_decay < 0:
            raise ValueError(f"weight_decay must be >= 0, got {self.weight_decay}")


@dataclass
class RecEval:
    """Evaluation settings (``params.eval``).

    Args:
        eval_batch_size: users per evaluation batch (1024).
        exclude_history: rank only items the user has not interacted with (off: the papers rank
            all items).
    """

    eval_batch_size: int = 1024
    exclude_history: bool = False

    def __post_init__(self):
        _check_positive_ints(self, ("eval_batch_size",))


@dataclass
class Smoke:
    """Settings for smoke tests and truncated benchmark runs only (``params.smoke``).

    Args:
        max_train_batches: stop each epoch after this many batches (``None``: the whole epoch).
    """

    max_train_batches: int | None = None

    def __post_init__(self):
        if self.max_train_batches is not None and self.max_train_batches < 1:
            raise ValueError(f"max_train_batches must be >= 1 or null, got {self.max_train_batches}")


@dataclass
class SASRecModel:
    """SASRec's architecture (``params.model`` of :class:`SASRecParams`).

    Args:
        hidden_size: embedding and transformer width d (64).
        n_layers: transformer blocks (2).
        n_heads: attention heads (2).
        inner_size: feed-forward width (256 = 4d, RecBole / MCLRec).
        hidden_dropout_prob: dropout on embeddings and block outputs (0.5).
        attn_dropout_prob: dropout on attention probabilities (0.5).
        hidden_act: feed-forward activation (``gelu``).
        layer_norm_eps: LayerNorm epsilon (1e-12).
        initializer_range: std of the normal initialisation (0.02).
        max_seq_length: longest input sequence; older items are dropped (50). Kept here, not in
            ``train``: it sets the position-embedding table.
        fast_dropout: draw dropout masks with ``torch.rand`` (same distribution, faster on CPU).
    """

    hidden_size: int = 64
    n_layers: int = 2
    n_heads: int = 2
    inner_size: int = 256
    hidden_dropout_prob: float = 0.5
    attn_dropout_prob: float = 0.5
    hidden_act: Literal["gelu", "relu", "swish", "tanh", "sigmoid"] = "gelu"
    layer_norm_eps: float = 1e-12
    initializer_range: float = 0.02
    max_seq_length: int = 50
    fast_dropout: bool = True

    def __post_init__(self):
        check_choices(self)
        _check_positive_ints(self, ("hidden_size", "n_layers", "n_heads", "inner_size", "max_seq_length"))
        if self.hidden_size % self.n_heads:
            raise ValueError(f"hidden_size ({self.hidden_size}) must be divisible by n_heads ({self.n_heads})")
        _check_unit_interval(self, ("hidden_dropout_prob", "attn_dropout_prob"), closed_right=False)
        for name in ("layer_norm_eps", "initializer_range"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)}")


@dataclass
class CL4SRecModel(SASRecModel):
    """CL4SRec's model section: SASRec's fields plus the contrastive loss and its augmentations.

    Args (besides :class:`SASRecModel`):
        cl_weight: lambda, weight of the contrastive loss (0.1).
        cl_temperature: NT-Xent temperature (1.0).
        cl_similarity: ``dot`` (official) or ``cosine``.
        augmentations: augmenters drawn per sequence and view (``crop``, ``mask``, ``reorder``;
            names registered with :func:`rec.augment.register_augmenter` work too).
        distinct_views: draw two different augmenters for the two views (MCLRec's data loader)
            instead of two independent draws (CL4SRec).
        crop_rate: eta, fraction of the sequence a crop keeps (0.2, CoSeRec/ICLRec default).
        mask_rate: gamma, fraction of the items a mask replaces (0.7).
        reorder_rate: beta, fraction of the sequence a reorder shuffles (0.2).
        mask_token: ``mask`` (a learned [mask] item, CL4SRec) or ``padding`` (item 0, MCLRec's code).
    """

    cl_weight: float = 0.1
    cl_temperature: float = 1.0
    cl_similarity: Literal["dot", "cosine"] = "dot"
    augmentations: list[str] | None = None
    distinct_views: bool = False
    crop_rate: float = 0.2
    mask_rate: float = 0.7
    reorder_rate: float = 0.2
    mask_token: Literal["mask", "padding"] = "mask"

    def __post_init__(self):
        super().__post_init__()
        if self.augmentations is None:
            self.augmentations = ["crop", "mask", "reorder"]
        if not self.augmentations:
            raise ValueError("augmentations must name at least one augmenter, e.g. [crop, mask, reorder]")
        if self.distinct_views and len(self.augmentations) < 2:
            raise ValueError("distinct_views needs at least two augmentations")
        _check_unit_interval(self, ("crop_rate", "mask_rate", "reorder_rate"))
        if self.cl_weight < 0:
            raise ValueError(f"cl_weight must be >= 0, got {self.cl_weight}")
        if self.cl_temperature <= 0:
            raise ValueError(f"cl_temperature must be > 0, got {self.cl_temperature}")


@dataclass
class MCLRecModel(CL4SRecModel):
    """MCLRec's model section. Defaults: the official code (QinHsiu/MCLRec, ``MCLRec.yaml`` +
    data loader).

    Args (besides :class:`CL4SRecModel`):
        cl_weight: lambda, weight of the data-augmentation NT-Xent (paper: Sports 0.04, Beauty 0,
            Yelp 0.03).
        meta_weight: beta, weight of the model-augmentation losses in the encoder steps (paper:
            Sports 0.4, Beauty 0.05, Yelp 0.1).
        augmenter_hidden: hidden widths of each learnable augmenter MLP ([32, 16] for d=64).
        regulariser_weight: weight of the official margin regulariser (``use_rl``, 0.1 hard-coded).
        use_regulariser: add the regulariser (official ``use_rl: 1``).
        schedule: ``meta`` (encoder step, augmenter step on the re-encoded batch, encoder step:
            paper Algorithm 1 and official ``joint: 0``) or ``joint`` (one step on everything,
            official ``joint: 1``). Kept here, not in ``train``: it is part of the method.
        crop_rate, mask_rate, reorder_rate: official MCLRec values (keep 0.5, mask 0.5, reorder 0.8).
        distinct_views: official loader draws two different augmenters per sequence (true).
        mask_token: official mask writes item 0 (``padding``).
    """

    cl_weight: float = 0.04
    meta_weight: float = 0.4
    augmenter_hidden: list[int] | None = None
    regulariser_weight: float = 0.1
    use_regulariser: bool = True
    schedule: Literal["meta", "joint"] = "meta"
    distinct_views: bool = True
    crop_rate: float = 0.5
    mask_rate: float = 0.5
    reorder_rate: float = 0.8
    mask_token: Literal["mask", "padding"] = "padding"

    def __post_init__(self):
        super().__post_init__()
        if self.augmenter_hidden is None:
            self.augmenter_hidden = [max(1, self.hidden_size // 2), max(1, self.hidden_size // 4)]
        if any(int(h) < 1 for h in self.augmenter_hidden):
            raise ValueError(f"augmenter_hidden widths must be >= 1, got {self.augmenter_hidden}")
        for name in ("meta_weight", "regulariser_weight"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")


@dataclass
class SASRecParams:
    """SASRec (Kang & McAuley, "Self-Attentive Sequential Recommendation", ICDM 2018) trained with
    the full-softmax cross entropy used by CL4SRec / MCLRec.

    Args:
        model: architecture (:class:`SASRecModel`).
        train: optimiser, batching, epochs and early stopping (:class:`RecTrain`).
        eval: evaluation batch and ranking protocol (:class:`RecEval`).
        smoke: truncated-run settings for smoke tests and benchmarks (:class:`Smoke`).
    """

    model: SASRecModel = field(default_factory=SASRecModel)
    train: RecTrain = field(default_factory=RecTrain)
    eval: RecEval = field(default_factory=RecEval)
    smoke: Smoke = field(default_factory=Smoke)


@dataclass
class CL4SRecParams(SASRecParams):
    """CL4SRec (Xie et al., "Contrastive Learning for Sequential Recommendation", ICDE 2022): SASRec
    plus an NT-Xent loss between two augmented views of each sequence.

    Args:
        model: SASRec's architecture plus the contrastive loss (:class:`CL4SRecModel`).
        train, eval, smoke: as in :class:`SASRecParams`.
    """

    model: CL4SRecModel = field(default_factory=CL4SRecModel)


@dataclass
class MCLRecParams(CL4SRecParams):
    """MCLRec (Qin et al., "Meta-optimized Contrastive Learning for Sequential Recommendation",
    SIGIR 2023). Defaults: the official code (QinHsiu/MCLRec).

    Args:
        model: CL4SRec's fields with MCLRec's values plus the learnable augmenters (:class:`MCLRecModel`).
        train, eval, smoke: as in :class:`SASRecParams`.
    """

    model: MCLRecModel = field(default_factory=MCLRecModel)
