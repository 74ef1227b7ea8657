"""Model inputs built once from a ``HeteroData``: tensor containers and the transforms that build them.

``ToMEOWInputs(params, target)(data)`` and ``ToHeCoInputs(params, target)(data)`` work like
PyG's ``AddMetaPaths``: they read any ``HeteroData`` (edge lists, optional node features), never
modify it, and return a :class:`MEOWInputs` / :class:`HeCoInputs` with everything the model
reads (normalised features, meta-path graphs, contexts, masks, sampled-neighbour lists). Models
hold only parameters and take these as ``model.loss(inputs)`` / ``model.embed(inputs)``.
``inputs.to(device)`` and ``inputs.double()`` move or cast every tensor in place, as PyG's
``Data.to`` does. :class:`AddMetapathPositives` gives a graph without HeCo's ``pos.npz`` the
positive pairs that HeCo and ``positives: "heco"`` read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch_geometric.transforms import BaseTransform

from graphcl.hetero.augment import drop_edges, mask_features
from graphcl.hetero.featureless import featureless_features
from graphcl.hetero.layers import SparseOperator
from graphcl.hetero.metapath import (
    edge_type_between,
    gcn_normalize,
    metapath_contexts,
    metapath_counts,
    metapath_graph,
    metapath_positives,
    pathsim_topk,
)
from graphcl.hetero.params import POSITIVES, HeCoParams, _MEOWCommon, _ModelCommon, check_per_metapath
from graphcl.hetero.validation import check_metapaths


def _move(value, device, dtype):
    if isinstance(value, torch.Tensor):
        return value.to(device=device, dtype=dtype if value.is_floating_point() else None)
    if isinstance(value, SparseOperator):
        return value.to(device, dtype)
    if isinstance(value, (list, tuple)):
        return type(value)(_move(v, device, dtype) for v in value)
    if isinstance(value, dict):
        return {k: _move(v, device, dtype) for k, v in value.items()}
    return value


class GraphTensors:
    """Base of the input containers: move and cast every tensor they hold, in place.

    ``to(device)``, ``to(dtype)``, ``double()``, ``float()``, ``cpu()`` and ``cuda()`` reach tensors
    and :class:`~graphcl.hetero.layers.SparseOperator`\\ s in attributes, lists and dicts; dtypes
    change only floating tensors, so index tensors stay integral. Attributes in ``host_fields``
    stay as they are: they feed CPU-side sampling, which thus draws the same on every device.
    """

    host_fields: tuple[str, ...] = ()
    device: torch.device = torch.device("cpu")
    dtype: torch.dtype = torch.float32

    def to(self, device=None, dtype: torch.dtype | None = None):
        if isinstance(device, torch.dtype):
            device, dtype = None, device
        for name, value in vars(self).items():
            if name not in self.host_fields:
                setattr(self, name, _move(value, device, dtype))
        self.device = self.device if device is None else torch.device(device)
        self.dtype = self.dtype if dtype is None else dtype
        return self

    def double(self):
        return self.to(torch.float64)

    def float(self):
        return self.to(torch.float32)

    def cpu(self):
        return self.to("cpu")

    def cuda(self, index: int | None = None):
        return self.to("cuda" if index is None else f"cuda:{index}")


def node_features(
    data, types: list[str], normalize: bool = True, ignore: list[str] = ()
) -> dict[str, torch.Tensor | None]:
    """Feature matrix per node type (``None`` where a type has none: the model learns an
    embedding table, i.e. a linear map of one-hot features). Dense identity matrices are also
    returned as ``None`` to avoid an ``N x N`` matmul.

    Args:
        normalize: row-normalise non-negative features (HeCo/MEOW ``preprocess_features``).
        ignore: types whose features are dropped (``None``: learned embedding instead).
    """
    unknown = sorted(set(ignore) - set(data.node_types))
    if unknown:
        raise KeyError(f"ignore_features names unknown node types {unknown}; the graph has {data.node_types}")
    out: dict[str, torch.Tensor | None] = {}
    for t in types:
        if t not in data.node_types:
            raise KeyError(f"node type {t!r} is not in the graph's node types {data.node_types}")
        x = getattr(data[t], "x", None)
        if x is None or t in ignore:
            out[t] = None
            continue
        if x.is_sparse:
            x = x.to_dense()
        x = x.float()
        n = data[t].num_nodes
        if x.shape == (n, n) and torch.equal(x, torch.eye(n)):
            out[t] = None
            continue
        if normalize and bool((x >= 0).all()):
            s = x.sum(dim=1, keepdim=True)
            x = torch.where(s > 0, x / s.clamp_min(1e-12), x)
        out[t] = x
    return out


def fill_featureless(data, x: dict, p: _ModelCommon, metapaths: list, seed: int = 0) -> dict:
    """A copy of ``x`` whose ``None`` entries get the structural inputs of ``p.featureless``
    (:func:`graphcl.hetero.featureless.featureless_features`; ``"embedding"`` keeps them ``None``).

    Args:
        data: the ``HeteroData`` (read only).
        x: inputs per node type from :func:`node_features`.
        p: the model section (``featureless``, ``mp2vec``, ``normalize_features``, ``ignore_features``).
        metapaths: the run's meta-paths (walked by ``"metapath2vec"``).
        seed: metapath2vec seed (default 0).
    """
    missing = [t for t, v in x.items() if v is None]
    if p.featureless == "embedding" or not missing:
        return dict(x)
    features = x
    if p.featureless == "propagated":  # every neighbour type's own features, not only the model's types
        features = node_features(data, list(data.node_types), p.normalize_features, p.ignore_features)
    filled = featureless_features(data, p.featureless, missing, features, metapaths, p.mp2vec, seed)
    return {**x, **filled}


def positive_mask(
    data, positives: str, metapaths: list | None = None, target: str | None = None, pos_num: int = 5, seed: int = 0
) -> torch.Tensor | None:
    """``None`` for ``"self"``; for ``"heco"``, HeCo's ``data.pos``, and for ``"metapath"`` the
    pairs :func:`~graphcl.hetero.metapath.metapath_positives` builds from ``metapaths`` (``pos_num``
    per ``target`` node, ties by ``seed``), as a 0/1 sparse ``[N, N]`` mask with the diagonal added
    (the node's own other view stays a positive)."""
    if positives not in POSITIVES:
        raise ValueError(f"positives must be one of {POSITIVES}, got {positives!r}")
    if positives == "self":
        return None
    if positives == "metapath":
        if not metapaths or target is None:
            raise ValueError("positives='metapath' needs the run's meta-paths and target type")
        pos = metapath_positives(data, metapaths, target, pos_num, seed)
    else:
        pos = getattr(data, "pos", None)
    if pos is None:
        raise ValueError(
            "positives='heco' needs data.pos (HeCo's pos.npz); load the dataset with "
            "graphcl.data.load_hetero, use positives='metapath' to build the pairs from the meta-paths, "
            "or positives='self'"
        )
    pos = pos if pos.is_sparse else pos.to_sparse()
    # a node stays its own positive even if the file leaves the diagonal out
    idx = torch.cat([pos.coalesce().indices(), torch.arange(pos.size(0)).repeat(2, 1)], dim=1)
    idx = torch.sparse_coo_tensor(idx, torch.ones(idx.size(1)), pos.shape).coalesce().indices()
    return torch.sparse_coo_tensor(idx, torch.ones(idx.size(1)), pos.shape, is_coalesced=True)


class AddMetapathPositives(BaseTransform):
    """PyG transform: a shallow copy of a ``HeteroData`` with ``data.pos``, HeCo's positive pairs
    of the ``target`` nodes (:func:`~graphcl.hetero.metapath.metapath_positives`: the ``num_pos``
    nodes most strongly joined by the meta-paths); the input graph is not modified. Use it on a
    graph that ships no ``pos.npz``, before :class:`ToHeCoInputs` or ``positives: "heco"``.

    Args:
        metapaths: meta-paths from ``target`` to ``target`` (``None``: ``data.metapath_names``).
        target: the node type of the pairs, e.g. ``"paper"``.
        num_pos: positives per node (HeCo's ``pos_num``; default 5, its ACM value).
        seed: seed of the random tie-breaking (default 0).
        overwrite: replace an existing ``data.pos`` (default ``False``: an error, so shipped
            pairs are never replaced by accident).
    """

    def __init__(self, metapaths: list | None, target: str, num_pos: int = 5, seed: int = 0, overwrite: bool = False):
        if num_pos < 1:
            raise ValueError(f"num_pos must be >= 1, got {num_pos}")
        self.metapaths, self.target, self.num_pos = metapaths, target, num_pos
        self.seed, self.overwrite = seed, overwrite

    def forward(self, data):  # BaseTransform.__call__ passes a shallow copy: setting pos leaves the input alone
        if getattr(data, "pos", None) is not None and not self.overwrite:
            raise ValueError("data.pos is already set (shipped positives); pass overwrite=True to replace it")
        metapaths = check_metapaths(data, self.metapaths, self.target)
        data.pos = metapath_positives(data, metapaths, self.target, self.num_pos, self.seed)
        return data

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(target={self.target!r}, num_pos={self.num_pos})"


def _per_metapath(values: list, metapaths: list[str], name: str) -> list:
    check_per_metapath(values, metapaths, name)
    return list(values) * len(metapaths) if len(values) == 1 else list(values)


@dataclass(eq=False)
class MEOWInputs(GraphTensors):
    """What MEOW's and AdaMEOW's encoder reads (built by :class:`ToMEOWInputs`).

    Attributes:
        target: the node type embedded.
        metapaths: the meta-paths, in the order of ``adjs``.
        num_nodes, in_dims: nodes and feature width per node type (``None``: featureless).
        context_types: per meta-path, the node type of each context position.
        x: normalised features per node type (``None``: learned embedding table).
        chains: per meta-path and context, the incidence chain from the target to it.
        adjs: normalised PathSim top-k graph per meta-path (fine views).
        coarse_adj: the mean of ``adjs`` (coarse view).
        pos_mask: HeCo's positives (``positives: "heco"`` or ``"metapath"``) as a sparse
            ``[N, N]`` mask, or ``None`` (own view only).
        x_masked, node_mask, masked_adjs: the masked view, drawn by :meth:`resample`.
    """

    host_fields = ("topk",)

    target: str
    metapaths: list
    num_nodes: dict
    in_dims: dict
    context_types: list
    x: dict
    chains: list
    adjs: list
    coarse_adj: SparseOperator
    pos_mask: torch.Tensor | None
    topk: list  # PathSim top-k count graphs (CPU), the source of the edge masks
    feat_mask: float
    adj_mask: list
    generator: torch.Generator
    x_masked: torch.Tensor | None = None
    node_mask: torch.Tensor | None = None
    masked_adjs: list = field(default_factory=list)

    def resample(self) -> None:
        """Draw new feature and edge masks (the official code does this once, before training)."""
        x = self.x[self.target]
        if x is None:
            self.x_masked = None
            keep = torch.rand(self.num_nodes[self.target], generator=self.generator) >= self.feat_mask
            self.node_mask = keep.to(device=self.device, dtype=self.dtype)
        else:
            self.x_masked = mask_features(x.cpu(), self.feat_mask, self.generator).to(self.device)
            self.node_mask = None
        self.masked_adjs = []
        for a, rate in zip(self.topk, self.adj_mask):
            row, col = a.indices()
            off = row != col
            off_diag = torch.sparse_coo_tensor(a.indices()[:, off], torch.ones(int(off.sum())), a.shape)
            kept = drop_edges(off_diag, rate, self.generator)
            # binary edges + self-loops, then symmetric normalisation (official mask_edges)
            adj = SparseOperator(gcn_normalize(kept, add_self_loops=True))
            self.masked_adjs.append(adj.to(self.device, self.dtype))


class ToMEOWInputs(BaseTransform):
    r"""Build :class:`MEOWInputs` for MEOW / AdaMEOW (Yu et al., arXiv:2212.13847, Sec. 4) from a
    ``HeteroData``; the graph is not modified.

    Per meta-path: instance counts from the edge lists, the PathSim top-k graph (``nei_max``),
    normalised ``D^-1/2 A D^-1/2`` (fine views), their mean (coarse view), the meta-path
    contexts, and a masked copy (``feat_mask`` of the target features, ``adj_mask`` of the edges).

    Args:
        params: :class:`~graphcl.hetero.params.MEOWParams` or ``AdaMEOWParams``; reads its ``model`` section:
            ``metapaths``, ``nei_max``, ``feat_mask``, ``adj_mask``, ``normalize_features``,
            ``ignore_features``, ``featureless`` (and ``mp2vec``) and ``positives``.
        target: the node type to embed, e.g. ``"paper"``.
        seed: seed of the mask generator and of metapath2vec (default 0).
    """

    def __init__(self, params: _MEOWCommon, target: str, seed: int = 0):
        if not isinstance(params, _MEOWCommon):
            raise TypeError(f"ToMEOWInputs needs MEOWParams or AdaMEOWParams, got {type(params).__name__}")
        self.params, self.target, self.seed = params, target, seed

    def forward(self, data) -> MEOWInputs:
        p, target = self.params.model, self.target
        metapaths = check_metapaths(data, p.metapaths, target)
        pos_mask = positive_mask(data, p.positives, metapaths, target, p.pos_num, self.seed)
        nei_max = _per_metapath(p.nei_max, metapaths, "nei_max")
        adj_mask = _per_metapath(p.adj_mask, metapaths, "adj_mask")
        contexts = [metapath_contexts(data, mp) for mp in metapaths]
        context_types = [[t for t, _ in ctx] for ctx in contexts]
        chains = [[[SparseOperator(m) for m in chain] for _, chain in ctx] for ctx in contexts]
        types = [target] + sorted({t for ctx in context_types for t in ctx} - {target})
        x = node_features(data, types, p.normalize_features, p.ignore_features)
        x = fill_featureless(data, x, p, metapaths, self.seed)
        topk = [pathsim_topk(metapath_counts(data, mp, target), k) for mp, k in zip(metapaths, nei_max)]
        normed = [gcn_normalize(a) for a in topk]
        coarse = normed[0]
        for a in normed[1:]:
            coarse = coarse + a
        inputs = MEOWInputs(
            target=target,
            metapaths=metapaths,
            num_nodes={t: data[t].num_nodes for t in types},
            in_dims={t: (None if v is None else v.size(1)) for t, v in x.items()},
            context_types=context_types,
            x=x,
            chains=chains,
            adjs=[SparseOperator(a) for a in normed],
            coarse_adj=SparseOperator((coarse / len(metapaths)).coalesce()),
            pos_mask=pos_mask,
            topk=topk,
            feat_mask=p.feat_mask,
            adj_mask=adj_mask,
            generator=torch.Generator().manual_seed(self.seed),
        )
        inputs.resample()
        return inputs

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(target={self.target!r}, metapaths={self.params.model.metapaths})"


@dataclass(eq=False)
class HeCoInputs(GraphTensors):
    """What HeCo reads (built by :class:`ToHeCoInputs`).

    Attributes:
        target: the node type embedded.
        schema_types: network-schema neighbour types, in the order of ``schema``.
        num_nodes, in_dims: nodes and feature width per node type (``None``: featureless).
        x: normalised features of the target and schema types (``None``: embedding table).
        mps: normalised 0/1 meta-path graphs (meta-path view).
        schema: per schema type, the CSR ``(ptr, col)`` of each target node's neighbours (CPU).
        pos: HeCo's positive pairs, sparse ``[N, N]``.
    """

    host_fields = ("schema",)

    target: str
    schema_types: list
    num_nodes: dict
    in_dims: dict
    x: dict
    mps: list
    schema: list
    pos: torch.Tensor


def _schema_csr(data, target: str, t: str) -> tuple[torch.Tensor, torch.Tensor]:
    edge_type = edge_type_between(data, target, t)
    if edge_type is None:
        raise KeyError(f"no edge list joins {target!r} and the network-schema type {t!r}; data has {data.edge_types}")
    src, rel, dst = edge_type
    if edge_type in data.edge_types:
        ei = data[edge_type].edge_index
    else:
        ei = data[(dst, rel, src)].edge_index.flip(0)
    order = torch.argsort(ei[0] * data[t].num_nodes + ei[1])
    row, col = ei[0][order], ei[1][order]
    ptr = torch.zeros(data[target].num_nodes + 1, dtype=torch.long)
    ptr[1:] = torch.cumsum(torch.bincount(row, minlength=data[target].num_nodes), 0)
    return ptr, col


class ToHeCoInputs(BaseTransform):
    r"""Build :class:`HeCoInputs` for HeCo (Wang et al., KDD 2021) from a ``HeteroData``; the graph
    is not modified.

    Meta-path view: each meta-path's 0/1 graph (``data.metapaths[name]`` when the loader ships
    it, else built from the edge lists), normalised ``D^-1/2 A D^-1/2``. Network-schema view: the
    neighbours of each target node per schema type. Positives: ``data.pos`` (HeCo's ``pos.npz``).

    Args:
        params: :class:`~graphcl.hetero.params.HeCoParams`; reads its ``model`` section: ``metapaths``,
            ``schema_types``, ``sample_rate``, ``normalize_features``, ``ignore_features`` and
            ``featureless`` (and ``mp2vec``).
        target: the node type to embed, e.g. ``"paper"``.
        seed: metapath2vec seed (default 0; nothing else here is random).
    """

    def __init__(self, params: HeCoParams, target: str, seed: int = 0):
        if not isinstance(params, HeCoParams):
            raise TypeError(f"ToHeCoInputs needs HeCoParams, got {type(params).__name__}")
        self.params, self.target, self.seed = params, target, seed

    def forward(self, data) -> HeCoInputs:
        p, target = self.params.model, self.target
        metapaths = check_metapaths(data, p.metapaths, target)
        schema = p.schema_types
        if schema is None:
            schema = [t for (s, _, t) in data.edge_types if s == target and t != target]
        if len(schema) != len(p.sample_rate):
            raise ValueError(
                f"sample_rate {p.sample_rate} must have one entry per schema type {schema}; "
                "set params.model.schema_types and params.model.sample_rate together"
            )
        pos = getattr(data, "pos", None)
        if pos is None:
            raise ValueError(
                "HeCo needs data.pos (the pos.npz positive pairs); load the dataset with graphcl.data.load_hetero "
                "or build them with graphcl.hetero.AddMetapathPositives(metapaths, target, num_pos)(data)"
            )
        types = [target] + list(schema)
        x = node_features(data, types, p.normalize_features, p.ignore_features)
        x = fill_featureless(data, x, p, metapaths, self.seed)
        mps = []
        for mp in metapaths:
            mps.append(SparseOperator(gcn_normalize(metapath_graph(data, mp, target))))  # 0/1 as shipped
        return HeCoInputs(
            target=target,
            schema_types=list(schema),
            num_nodes={t: data[t].num_nodes for t in types},
            in_dims={t: (None if v is None else v.size(1)) for t, v in x.items()},
            x=x,
            mps=mps,
            schema=[_schema_csr(data, target, t) for t in schema],
            pos=pos.coalesce().float() if pos.is_sparse else pos.float(),
        )

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(target={self.target!r}, metapaths={self.params.model.metapaths})"
