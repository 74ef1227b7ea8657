"""Hyperparameters of MEOW, AdaMEOW and HeCo (defaults: the official ACM settings).

Each model's params hold three sections (issue #16): ``model`` (architecture, views and loss:
:class:`MEOWModel`, :class:`AdaMEOWModel`, :class:`HeCoModel`), ``train`` (optimiser, early
stopping, memory: :class:`HeteroTrain` and its per-model subclasses, which carry the defaults
that differ) and ``eval`` (logistic-regression evaluation and export: :class:`HeteroEval`).

Sources: ``jianxiangyu/MEOW`` (``code_meow/utils/params.py``, ``code_adameow/utils/params.py``)
and ``liun-online/HeCo`` (``code/utils/params.py``). The per-dataset values live in
``configs/hetero/<model>_<dataset>.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

from graphcl.hetero.metapath import MetaPath

Positives = Literal["self", "heco", "metapath"]
Embedding = Literal["fused", "projected"]
Select = Literal["loss", "validation"]
Featureless = Literal["embedding", "metapath2vec", "propagated"]
POSITIVES, EMBEDDINGS, SELECTS = get_args(Positives), get_args(Embedding), get_args(Select)
FEATURELESS = get_args(Featureless)


def _check(cond: bool, message: str) -> None:
    if not cond:
        raise ValueError(message)


def _check_rate(name: str, value: float) -> None:
    _check(0.0 <= value < 1.0, f"{name} must be in [0, 1), got {value}")


@dataclass
class HeteroTrain:
    """Training settings shared by the three models (``params.train``).

    Args:
        epochs: maximum number of training epochs (10000: the official code relies on early
            stopping); also the cap of ``select: validation``.
        patience: epochs without a lower contrastive loss before stopping (official early
            stopping; 20); with ``select: validation``, validations without a higher score.
        lr: Adam learning rate (7e-4).
        weight_decay: Adam weight decay (``l2_coef`` in the official code; 0).
        restore_best: embed with the parameters of the lowest-loss epoch (HeCo does) instead of the
            last epoch (MEOW does; off).
        chunk_size: rows of the N x N similarity matrix computed at once in the losses
            (``None``: all rows; memory O(N * chunk_size)). A memory knob, not a hyperparameter of
            the method, hence here and not in ``model``.
        select: model selection (docs/hetero.md, "Model selection"). ``"loss"`` (the official
            rule, default): early stopping on the contrastive loss, labels never read.
            ``"validation"``: every ``params.eval.eval_every`` epochs score the frozen embeddings by
            the validation ``params.eval.objective`` (20 labels per class; the test split is not
            read), keep the best-scoring parameters, stop after ``patience`` validations without
            improvement or at ``epochs``, and evaluate those parameters once on the test split.
            ``restore_best`` is then ignored.
        checkpoint_every: write the run folder's ``last.pt`` (model, optimiser, loop and RNG
            states; ``graphcl train --resume`` continues from it, docs/hetero.md "Resuming") every
            this many epochs (10); ``0``: never. Plain runs only (not tuning trials); a Ctrl-C loses
            at most ``checkpoint_every - 1`` epochs. Not part of a checkpoint's fingerprint.
    """

    epochs: int = 10000
    patience: int = 20
    lr: float = 7e-4
    weight_decay: float = 0.0
    restore_best: bool = False
    chunk_size: int | None = None
    select: Select = "loss"
    checkpoint_every: int = 10

    def __post_init__(self) -> None:
        _check(self.checkpoint_every >= 0, f"checkpoint_every must be >= 0 (0: off), got {self.checkpoint_every}")
        _check(self.select in SELECTS, f"select must be one of {SELECTS}, got {self.select!r}")
        _check(self.epochs >= 1, f"epochs must be >= 1, got {self.epochs}")
        _check(self.patience >= 1, f"patience must be >= 1, got {self.patience}")
        _check(self.lr > 0, f"lr must be > 0, got {self.lr}")
        _check(self.weight_decay >= 0, f"weight_decay must be >= 0, got {self.weight_decay}")
        _check(
            self.chunk_size is None or self.chunk_size >= 1, f"chunk_size must be None or >= 1, got {self.chunk_size}"
        )


@dataclass
class MEOWTrain(HeteroTrain):
    """MEOW's training section: :class:`HeteroTrain` plus

    Args:
        resample_augmentations: draw new feature/edge masks every epoch (the official code draws
            them once before training; off).
    """

    resample_augmentations: bool = False


@dataclass
class AdaMEOWTrain(MEOWTrain):
    """AdaMEOW's training section: :class:`MEOWTrain` with the official AdaMEOW values
    (``code_adameow/utils/params.py``, ACM).

    Args:
        epochs: 1200.
        patience: 10.
        lr: 5e-5.
        weight_decay: 1e-5.
        chunk_size: anchor rows per checkpointed block of the loss (512; ``None``: all rows at
            once, a ``[N, N, weight_hidden]`` pair tensor).
        compile_pair_weights: run the pair network (add, tanh, linear, sigmoid over
            ``[chunk, N, weight_hidden]``) as two ``torch.compile`` kernels, forward and a
            hand-written backward, with a float32 rational tanh (max abs error 4e-7): 1.9-2.5x per
            epoch (docs/hetero.md). Off by default: the first epoch pays ~30 s of compilation, and
            it needs a C++ compiler; without one the exact eager code runs and a warning says so.
    """

    epochs: int = 1200
    patience: int = 10
    lr: float = 5e-5
    weight_decay: float = 1e-5
    chunk_size: int | None = 512
    compile_pair_weights: bool = False


@dataclass
class HeCoTrain(HeteroTrain):
    """HeCo's training section: :class:`HeteroTrain` with the official HeCo values.

    Args:
        patience: 5.
        lr: 8e-4.
        restore_best: true (HeCo embeds with its best-loss checkpoint).
    """

    patience: int = 5
    lr: float = 8e-4
    restore_best: bool = True


@dataclass
class HeteroEval:
    """Evaluation settings shared by the three models (``params.eval``).

    Args:
        eval_every: every this many epochs, evaluate the current embeddings with logistic
            regression on the 20-label validation split and call ``report(epoch, val_macro_f1_20)``
            (0 disables it; the official code never looks at validation labels while training).
        eval_repeats: logistic-regression repeats for those intermediate validations (5).
        objective: validation score passed to ``report`` (``"macro_f1_20"`` or ``"micro_f1_20"``).
        eval_lr: learning rate of the evaluation logistic regression (``eva_lr``; 0.03).
        eval_weight_decay: its weight decay (``eva_wd``; 0).
        final_eval_repeats: logistic-regression repeats of the final evaluation (50 in the papers).
        export_npy: also write ``embeddings.npy`` next to ``embeddings.pt``.
    """

    eval_every: int = 0
    eval_repeats: int = 5
    objective: Literal["macro_f1_20", "micro_f1_20"] = "macro_f1_20"
    eval_lr: float = 0.03
    eval_weight_decay: float = 0.0
    final_eval_repeats: int = 50
    export_npy: bool = False

    def __post_init__(self) -> None:
        _check(self.eval_every >= 0, f"eval_every must be >= 0 (0 = never), got {self.eval_every}")
        _check(self.eval_repeats >= 1, f"eval_repeats must be >= 1, got {self.eval_repeats}")
        _check(self.final_eval_repeats >= 1, f"final_eval_repeats must be >= 1, got {self.final_eval_repeats}")
        _check(self.eval_lr > 0, f"eval_lr must be > 0, got {self.eval_lr}")
        _check(self.eval_weight_decay >= 0, f"eval_weight_decay must be >= 0, got {self.eval_weight_decay}")


@dataclass
class HeCoEval(HeteroEval):
    """HeCo's evaluation section: :class:`HeteroEval` with the official ``eva_lr`` 0.05.

    Args:
        eval_lr: 0.05.
    """

    eval_lr: float = 0.05


@dataclass
class Metapath2Vec:
    """metapath2vec settings (``params.model.mp2vec``) of ``featureless: metapath2vec``
    (:func:`graphcl.hetero.featureless.metapath2vec`; Dong et al., KDD 2017). The official MEOW
    AMiner features (``feat_*.w1000.l100.npy``) are 64-dim from 1000 walks of length 100 per
    node; the defaults are a cheap CPU version of them (about a minute per meta-path on AMiner,
    one thread).

    Args:
        dim: embedding width per meta-path (64, as the official features).
        walk_length: steps per walk (20; official 100).
        walks_per_node: walks started from every node of the meta-path's first type (5; official 1000).
        window: skip-gram context window on each side (3).
        negatives: negative samples per pair, drawn from the context node's type (5).
        epochs: passes over the skip-gram pairs (2).
        lr: Adam learning rate (0.02).
        batch_size: skip-gram pairs per step (32768; a speed knob).
        cache: keep the vectors in the user cache (``<cache>/metapath2vec``, the cache being
            ``$XDG_CACHE_HOME/graphcl`` or ``~/.cache/graphcl``), keyed by the walked edge
            lists, these settings, the seed and the torch version, so that later runs (seeds of
            the model, studies) skip the walks and the skip-gram (True).
    """

    dim: int = 64
    walk_length: int = 20
    walks_per_node: int = 5
    window: int = 3
    negatives: int = 5
    epochs: int = 2
    lr: float = 0.02
    batch_size: int = 32768
    cache: bool = True

    def __post_init__(self) -> None:
        for name in ("dim", "walk_length", "walks_per_node", "window", "negatives", "epochs", "batch_size"):
            _check(getattr(self, name) >= 1, f"mp2vec.{name} must be >= 1, got {getattr(self, name)}")
        _check(self.window <= self.walk_length, f"mp2vec.window {self.window} exceeds walk_length {self.walk_length}")
        _check(self.lr > 0, f"mp2vec.lr must be > 0, got {self.lr}")


@dataclass
class _ModelCommon:
    """Model fields shared by the three models.

    Args:
        hidden_dim: width of the node encoders and of the embeddings (64).
        tau: temperature of the contrastive loss (0.4).
        normalize_features: row-normalise non-negative input features, as the official loaders do.
        metapaths: meta-paths from the target type back to it, each a list of edge types
            ``[[paper, to, author], [author, to, paper]]`` or letter shorthand ``PAP`` (see
            :mod:`graphcl.hetero.metapath`; ``None``: the loader's ``data.metapath_names``).
        ignore_features: node types whose shipped features are replaced by a learned embedding
            table (one-hot inputs), e.g. HeCo uses identity features for ACM authors and DBLP papers.
        featureless: inputs of node types without features (and of ``ignore_features``), computed
            once before training (:mod:`graphcl.hetero.featureless`): ``"embedding"`` (default: a
            learned table, HeCo's one-hot inputs), ``"metapath2vec"`` (walk embeddings, as the
            official MEOW AMiner features; settings in ``mp2vec``) or ``"propagated"`` (mean of the
            neighbours' features, one-hot for featureless neighbours, per relation).
        mp2vec: :class:`Metapath2Vec` settings, read only by ``featureless: metapath2vec``.
    """

    hidden_dim: int = 64
    tau: float = 0.4
    normalize_features: bool = True
    metapaths: list[MetaPath] | None = None
    ignore_features: list[str] = field(default_factory=list)
    featureless: Featureless = "embedding"
    mp2vec: Metapath2Vec = field(default_factory=Metapath2Vec)

    def __post_init__(self) -> None:
        _check(
            self.featureless in FEATURELESS,
            f"featureless must be one of {FEATURELESS}, got {self.featureless!r}",
        )
        _check(self.hidden_dim >= 1, f"hidden_dim must be >= 1, got {self.hidden_dim}")
        _check(self.tau > 0, f"tau must be > 0, got {self.tau}")
        _check(
            self.metapaths is None or len(self.metapaths) >= 1,
            "metapaths must be None or a non-empty list of meta-paths",
        )


@dataclass
class _MEOWModelCommon(_ModelCommon):
    """Model fields shared by MEOW and AdaMEOW (see :class:`MEOWModel`)."""

    dropout: float = 0.2
    feat_mask: float = 0.3
    adj_mask: list[float] = field(default_factory=lambda: [0.3, 0.2])
    nei_max: list[int] = field(default_factory=lambda: [110, 700])
    embedding: Embedding = "fused"
    positives: Positives = "self"
    pos_num: int = 5

    def __post_init__(self) -> None:
        super().__post_init__()
        _check(self.positives in POSITIVES, f"positives must be one of {POSITIVES}, got {self.positives!r}")
        _check(self.pos_num >= 1, f"pos_num must be >= 1, got {self.pos_num}")
        _check(self.embedding in EMBEDDINGS, f"embedding must be one of {EMBEDDINGS}, got {self.embedding!r}")
        _check_rate("dropout", self.dropout)
        _check_rate("feat_mask", self.feat_mask)
        for p in self.adj_mask:
            _check_rate("adj_mask entries", p)
        _check(len(self.adj_mask) >= 1, "adj_mask needs one drop rate (shared) or one per meta-path")
        _check(
            len(self.nei_max) >= 1 and all(k >= 1 for k in self.nei_max),
            f"nei_max needs positive top-k sizes (one per meta-path), got {self.nei_max}",
        )


@dataclass
class MEOWModel(_MEOWModelCommon):
    """MEOW's model section (``params.model``). Defaults: official ACM values.

    Args:
        dropout: dropout on feature transforms, context aggregation and GCN layers.
        feat_mask: fraction of non-zero target-feature entries zeroed in the masked view.
        adj_mask: fraction of meta-path edges dropped in the masked view (one per meta-path, or
            one value for all).
        nei_max: PathSim top-k neighbours kept per node, one per meta-path.
        embedding: embedding that is evaluated and exported: ``"fused"`` (official) or
            ``"projected"`` (its unit-norm projection, which the loss acts on; on ACM it clusters
            better only without the ProtoNCE term, and the fused view with HeCo's positives best,
            docs/hetero.md).
            Kept here, not in ``eval``: it chooses what the model outputs.
        positives: ``"self"`` (official: a node's positive is its own other view), ``"heco"``
            (HeCo's ``pos.npz`` pairs, ``data.pos``, are positives too and leave the negatives;
            needed on AMiner with one-hot inputs, docs/hetero.md) or ``"metapath"`` (the same
            kind of pairs rebuilt from the run's meta-paths by HeCo's rule,
            :func:`~graphcl.hetero.metapath.metapath_positives`: for graphs without ``pos.npz``).
        pos_num: positives per node of ``positives: "metapath"`` (HeCo's ``pos_num``; 5, its ACM
            value; DBLP 1000, AMiner 15).
        num_clusters: k-means cluster counts (two granularities) for the weighted negatives and
            the prototypical loss; recomputed every epoch.
        lam_proto: weight of the prototypical (ProtoNCE) term; 0 skips it (``hetero/meow_acm_cluster``:
            the term breaks the 3-class k-means structure on ACM, docs/hetero.md).
        kmeans_iters: Lloyd iterations per k-means run (faiss ``niter`` in the official code).
        kmeans_restarts: k-means runs per clustering, the best kept (faiss ``nredo=5`` in the
            official code).
        (plus hidden_dim, tau, normalize_features, metapaths and ignore_features, see
        :class:`_ModelCommon`)
    """

    num_clusters: list[int] = field(default_factory=lambda: [100, 300])
    lam_proto: float = 1.0
    kmeans_iters: int = 20
    kmeans_restarts: int = 5

    def __post_init__(self) -> None:
        super().__post_init__()
        _check(self.kmeans_restarts >= 1, f"kmeans_restarts must be >= 1, got {self.kmeans_restarts}")
        _check(
            len(self.num_clusters) >= 1 and all(k >= 2 for k in self.num_clusters),
            f"num_clusters must list cluster counts >= 2, got {self.num_clusters}",
        )
        _check(self.lam_proto >= 0, f"lam_proto must be >= 0, got {self.lam_proto}")
        _check(self.kmeans_iters >= 1, f"kmeans_iters must be >= 1, got {self.kmeans_iters}")


@dataclass
class AdaMEOWModel(_MEOWModelCommon):
    """AdaMEOW's model section (``params.model``). Defaults: official ACM values (``tau`` 1.0,
    ``dropout`` 0.3, ``adj_mask`` [0.2], ``nei_max`` [690, 690]).

    Args:
        weight_hidden: hidden width of the pair-weight MLP (16 in the official code).
        proj_dim: output width of the projection feeding the loss and the weight MLP
            (``hidden_dim`` in the official code except AMiner: 16).
        weight_reg: weight of the regulariser ``mean_i (mean_j w_ij - 1)^2`` that keeps the
            learned weights away from the trivial all-zero solution (absent in the official code;
            0 reproduces it).
        weigh_positives: also weight the positive pair's denominator term by its learned weight,
            as the official ``weight_InfoNce`` does. Off by default: then the loss is bounded
            below by 0, whereas with it shrinking every weight drives the loss to -inf (the
            bounded ``weight_reg`` cannot stop that).
        (plus dropout, feat_mask, adj_mask, nei_max, embedding, positives, see
        :class:`MEOWModel`, and the common fields)
    """

    tau: float = 1.0
    dropout: float = 0.3
    adj_mask: list[float] = field(default_factory=lambda: [0.2])
    nei_max: list[int] = field(default_factory=lambda: [690, 690])
    weight_hidden: int = 16
    proj_dim: int | None = None
    weight_reg: float = 1.0
    weigh_positives: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        _check(self.weight_hidden >= 1, f"weight_hidden must be >= 1, got {self.weight_hidden}")
        _check(self.proj_dim is None or self.proj_dim >= 1, f"proj_dim must be None or >= 1, got {self.proj_dim}")
        _check(self.weight_reg >= 0, f"weight_reg must be >= 0, got {self.weight_reg}")


@dataclass
class HeCoModel(_ModelCommon):
    """HeCo's model section (``params.model``). Defaults: official ACM values (``tau`` 0.8).

    Args:
        feat_drop: dropout on the projected input features.
        attn_drop: dropout on the attention vectors.
        sample_rate: neighbours sampled per network-schema neighbour type (one per type, in the
            order of ``schema_types`` or of ``data.edge_types`` from the target).
        lam: weight of the meta-path -> schema direction (``1 - lam`` for the other one).
        schema_types: network-schema neighbour types (``None``: every type with a
            ``(target, "to", t)`` edge list whose sample rate is given).
        (plus the common fields)
    """

    tau: float = 0.8
    feat_drop: float = 0.3
    attn_drop: float = 0.5
    sample_rate: list[int] = field(default_factory=lambda: [7, 1])
    lam: float = 0.5
    schema_types: list[str] | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_rate("feat_drop", self.feat_drop)
        _check_rate("attn_drop", self.attn_drop)
        _check(
            len(self.sample_rate) >= 1 and all(s >= 1 for s in self.sample_rate),
            f"sample_rate must list positive sample sizes, got {self.sample_rate}",
        )
        _check(0.0 <= self.lam <= 1.0, f"lam must be in [0, 1], got {self.lam}")
        _check(
            self.schema_types is None or len(self.schema_types) == len(self.sample_rate),
            "schema_types and sample_rate must have the same length",
        )


@dataclass
class _Common:
    """Base of the three models' params: sections ``model``, ``train`` and ``eval``."""

    model: _ModelCommon
    train: HeteroTrain = field(default_factory=HeteroTrain)
    eval: HeteroEval = field(default_factory=HeteroEval)

    def __post_init__(self) -> None:
        check_select(self)


def check_select(params: _Common) -> None:
    """``train.select: validation`` needs ``eval.eval_every >= 1`` (how often to validate)."""
    _check(
        params.train.select != "validation" or params.eval.eval_every >= 1,
        f"train.select 'validation' needs eval.eval_every >= 1 (validate every that many epochs), "
        f"got eval_every {params.eval.eval_every}",
    )


@dataclass
class _MEOWCommon(_Common):
    """Base of MEOW's and AdaMEOW's params."""

    model: _MEOWModelCommon
    train: MEOWTrain = field(default_factory=MEOWTrain)


@dataclass
class MEOWParams(_MEOWCommon):
    """MEOW (Yu et al., "Heterogeneous Graph Contrastive Learning with Meta-path Contexts and
    Weighted Negative Samples", SDM 2023 / arXiv:2212.13847). Defaults: official ACM values.

    Args:
        model: encoder, views and loss (:class:`MEOWModel`).
        train: optimiser and early stopping (:class:`MEOWTrain`).
        eval: logistic-regression evaluation and export (:class:`HeteroEval`).
    """

    model: MEOWModel = field(default_factory=MEOWModel)


@dataclass
class AdaMEOWParams(_MEOWCommon):
    """AdaMEOW: MEOW with negative weights learned by a small network on node pairs
    (arXiv:2212.13847, Sec. "AdaMEOW"). Defaults: official ACM values.

    Args:
        model: :class:`AdaMEOWModel`.
        train: :class:`AdaMEOWTrain` (epochs 1200, patience 10, lr 5e-5, weight_decay 1e-5,
            chunk_size 512).
        eval: :class:`HeteroEval`.
    """

    model: AdaMEOWModel = field(default_factory=AdaMEOWModel)
    train: AdaMEOWTrain = field(default_factory=AdaMEOWTrain)


@dataclass
class HeCoParams(_Common):
    """HeCo (Wang et al., "Self-supervised Heterogeneous Graph Neural Network with Co-contrastive
    Learning", KDD 2021). Defaults: official ACM values.

    Args:
        model: :class:`HeCoModel`.
        train: :class:`HeCoTrain` (patience 5, lr 8e-4, restore_best true).
        eval: :class:`HeCoEval` (eval_lr 0.05).
    """

    model: HeCoModel = field(default_factory=HeCoModel)
    train: HeCoTrain = field(default_factory=HeCoTrain)
    eval: HeCoEval = field(default_factory=HeCoEval)


def check_per_metapath(values: list, metapaths: list[str], name: str) -> None:
    """``values`` must hold one entry (shared) or one per meta-path."""
    _check(
        len(values) in (1, len(metapaths)),
        f"{name} has {len(values)} entries but there are {len(metapaths)} meta-paths {metapaths}; "
        "give one value per meta-path (or a single shared value)",
    )


def check_against_dataset(params: object, dataset: str, info: dict) -> None:
    """Refuse, before anything runs, hetero params that cannot work on registry dataset
    ``dataset`` (its registry entry ``info``): unknown meta-paths or node types, per-meta-path and
    per-schema-type lists of the wrong length, more k-means clusters than target nodes.
    Raises ``ValueError`` naming the field and the valid values; other params pass untouched.
    """
    if not isinstance(params, _Common):
        return
    params = params.model
    metapaths = list(params.metapaths or info["metapaths"])
    for name in metapaths:
        _check_metapath(name, dataset, info)
    for field_name in ("nei_max", "adj_mask"):
        if hasattr(params, field_name):
            check_per_metapath(getattr(params, field_name), metapaths, field_name)
    types = sorted(info["node_types"].values())
    unknown = sorted(set(params.ignore_features) - set(types))
    _check(not unknown, f"ignore_features names node types {unknown} that {dataset} lacks; choose from {types}")
    nodes = int(((info.get("statistics") or {}).get("nodes") or {}).get(info["target"], 0))
    too_many = [k for k in getattr(params, "num_clusters", []) if nodes and k > nodes]
    _check(
        not too_many,
        f"num_clusters {too_many} exceed the {nodes} {info['target']} nodes of {dataset}; "
        f"use cluster counts <= {nodes}",
    )
    if isinstance(params, HeCoModel):
        _check_schema(params, dataset, info)


def _edge_pairs(info: dict) -> set[tuple[str, str]]:
    """Letter pairs joined by an edge list (``pa.txt``) or a schema file (``nei_a.npy``), both ways."""
    letters = {k.lower() for k in info["node_types"]}
    target = next(k.lower() for k, v in info["node_types"].items() if v == info["target"])
    pairs = {(f[0], f[1]) for f in info["files"] if f.endswith(".txt") and len(f) == 6 and set(f[:2]) <= letters}
    pairs |= {(target, s.lower()) for s in info.get("schema") or []}
    return pairs | {(b, a) for a, b in pairs}


def _check_metapath(name: str, dataset: str, info: dict) -> None:
    if name in info["metapaths"]:
        return
    letters = {k.upper(): v for k, v in info["node_types"].items()}
    target = next(k for k, v in letters.items() if v == info["target"])
    pairs = _edge_pairs(info)
    path = name.upper()
    usable = (
        len(path) >= 2
        and set(path) <= set(letters)
        and path[0] == path[-1] == target
        and all((a.lower(), b.lower()) in pairs for a, b in zip(path, path[1:]))
    )
    _check(
        usable,
        f"meta-path {name!r} is not available on {dataset}; choose from {list(info['metapaths'])} "
        f"or a path of node-type letters {sorted(letters)} from {target} to {target} along its edge lists",
    )


def _check_schema(params: HeCoModel, dataset: str, info: dict) -> None:
    letters = {k.lower(): v for k, v in info["node_types"].items()}
    target = next(k for k, v in letters.items() if v == info["target"])
    available = sorted({letters[b] for a, b in _edge_pairs(info) if a == target and b != target})
    schema = params.schema_types if params.schema_types is not None else available
    unknown = sorted(set(schema) - set(available))
    _check(not unknown, f"schema_types {unknown} have no network-schema edges on {dataset}; choose from {available}")
    _check(
        len(params.sample_rate) == len(schema),
        f"sample_rate {params.sample_rate} needs one entry per network-schema type {schema} of {dataset}; "
        "set params.model.schema_types and params.model.sample_rate together",
    )
