"""Structural input features for node types that ship none (``params.model.featureless``).

Without features a node type gets a learned embedding table (HeCo's one-hot inputs,
``"embedding"``, the default). Two fixed alternatives are computed once, before training:

* ``"metapath2vec"`` (Dong, Chawla, Swami, KDD 2017; settings ``params.model.mp2vec``):
  skip-gram with negative sampling on meta-path-guided random walks, one model per meta-path of
  the run. The official MEOW/AdaMEOW AMiner loader (``code_meow/utils/load_data.py``,
  ``load_aminer``) reads such 64-dim vectors:
  ``feat_p_pap``, ``feat_p_prp`` (papers, one per meta-path), ``feat_a``, ``feat_r``, from 1000
  walks of length 100 per node. Here a type visited by several meta-paths gets their vectors
  concatenated (papers: ``[PAP | PRP]``, 128 columns; the official code feeds each to its own
  linear layer, a linear layer on the concatenation sums two such maps). The vectors are
  cached on disk per meta-path (:func:`cached_metapath2vec`, ``mp2vec.cache``).
* ``"propagated"``: the mean of the neighbours' inputs along every relation of the type:
  ``[D_tu^-1 A_tu X_u]_u`` over the node types ``u`` joined to ``t`` by an edge list, ``X_u`` the
  features of ``u`` (shipped, row-normalised as :func:`~graphcl.hetero.inputs.node_features`
  does) or, for featureless ``u``, the identity (one-hot ids, so the block is the row-normalised
  adjacency; kept sparse). The official code has no such option; it is the standard
  mean-of-neighbours choice, with no free parameter per node (unlike the embedding table).

:class:`AddFeaturelessFeatures` is the PyG-style transform (a shallow copy with ``x`` set; the
input graph is not modified); the input transforms call :func:`featureless_features`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from pathlib import Path

import torch
import torch.nn.functional as F
from torch_geometric.transforms import BaseTransform

from graphcl.data.root import user_cache_dir
from graphcl.hetero.metapath import EdgeType, MetaPath, metapath_edge_types, relation
from graphcl.hetero.params import FEATURELESS, Metapath2Vec
from graphcl.utils.run_files import save_atomic

logger = logging.getLogger(__name__)


def _csr(data, edge_type: EdgeType) -> tuple[torch.Tensor, torch.Tensor]:
    m = relation(data, edge_type)
    return torch.from_numpy(m.indptr.astype("int64")), torch.from_numpy(m.indices.astype("int64"))


def metapath_walks(data, path: list[EdgeType], walks_per_node: int, walk_length: int, generator) -> torch.Tensor:
    """Random walks ``[W, walk_length + 1]`` of local node ids that follow ``path`` cyclically.

    Walks start ``walks_per_node`` times from every node of ``path[0][0]``; each step picks a
    neighbour along the next edge type uniformly; a walk that reaches a node without one is
    padded with ``-1``. Plain torch, seeded by ``generator`` (no pyg-lib / torch-cluster).
    """
    csrs = [_csr(data, e) for e in path]
    cur = torch.arange(data[path[0][0]].num_nodes).repeat(walks_per_node)
    walk = [cur]
    for i in range(walk_length):
        ptr, col = csrs[i % len(path)]
        alive = cur >= 0
        node = cur.clamp(min=0)
        deg = ptr[node + 1] - ptr[node]
        pick = ptr[node] + (torch.rand(cur.numel(), generator=generator) * deg).long()
        nxt = col[pick.clamp(max=max(col.numel() - 1, 0))] if col.numel() else torch.zeros_like(cur)
        cur = torch.where(alive & (deg > 0), nxt, torch.full_like(cur, -1))
        walk.append(cur)
    return torch.stack(walk, dim=1)


def skipgram_pairs(walks: torch.Tensor, position_type: torch.Tensor, offset: torch.Tensor, window: int):
    """``(center, context, context_type)`` global ids of every pair within ``window`` steps,
    both directions; ``position_type[j]`` is the type index at walk position ``j``."""
    gid = torch.where(walks >= 0, walks + offset[position_type], torch.full_like(walks, -1))
    center, context, ctype = [], [], []
    for k in range(1, window + 1):
        a, b = gid[:, :-k], gid[:, k:]
        ta, tb = position_type[:-k].expand_as(a), position_type[k:].expand_as(b)
        ok = (a >= 0) & (b >= 0)
        center += [a[ok], b[ok]]
        context += [b[ok], a[ok]]
        ctype += [tb[ok], ta[ok]]
    return torch.cat(center), torch.cat(context), torch.cat(ctype)


def _train_skipgram(pairs, sizes: torch.Tensor, offset: torch.Tensor, s: Metapath2Vec, generator):
    """Skip-gram with negative sampling (word2vec init: centers U(+-0.5/d), contexts 0)."""
    center, context, ctype = pairs
    n, d = int(sizes.sum()), s.dim
    u = torch.empty(n, d).uniform_(-0.5 / d, 0.5 / d, generator=generator).requires_grad_()
    v = torch.zeros(n, d, requires_grad=True)
    opt = torch.optim.Adam([u, v], lr=s.lr)
    for _ in range(s.epochs):
        perm = torch.randperm(center.numel(), generator=generator)
        for start in range(0, center.numel(), s.batch_size):
            idx = perm[start : start + s.batch_size]
            t = ctype[idx]
            neg = (torch.rand(idx.numel(), s.negatives, generator=generator) * sizes[t, None]).long() + offset[t, None]
            uc = u[center[idx]]
            pos = (uc * v[context[idx]]).sum(-1)
            negs = torch.bmm(v[neg], uc[:, :, None]).squeeze(-1)
            loss = -(F.logsigmoid(pos).mean() + F.logsigmoid(-negs).sum(1).mean())
            opt.zero_grad()
            loss.backward()
            opt.step()
    return u.detach()


def metapath2vec(data, path: list[EdgeType], settings: Metapath2Vec, seed: int = 0) -> dict[str, torch.Tensor]:
    """metapath2vec embeddings ``{type: [N_t, dim]}`` of the node types on one meta-path.

    Args:
        data: a ``HeteroData`` (read only).
        path: edge types of a cyclic meta-path, e.g. ``[(paper, to, author), (author, to, paper)]``.
        settings: walk and training settings (:class:`Metapath2Vec`).
        seed: seed of the walks, the initialisation and the negatives; the global RNG is untouched.
    """
    types = list(dict.fromkeys([path[0][0]] + [dst for _, _, dst in path]))
    sizes = torch.tensor([data[t].num_nodes for t in types])
    offset = torch.cat([torch.zeros(1, dtype=torch.long), sizes.cumsum(0)[:-1]])
    generator = torch.Generator().manual_seed(seed)
    walks = metapath_walks(data, path, settings.walks_per_node, settings.walk_length, generator)
    cycle = [types.index(path[0][0])] + [types.index(dst) for _, _, dst in path][:-1]
    position_type = torch.tensor([cycle[j % len(path)] for j in range(settings.walk_length + 1)])
    pairs = skipgram_pairs(walks, position_type, offset, settings.window)
    u = _train_skipgram(pairs, sizes, offset, settings, generator)
    return {t: u[int(o) : int(o) + int(n)] for t, o, n in zip(types, offset, sizes)}


def metapath2vec_key(data, path: list[EdgeType], settings: Metapath2Vec, seed: int) -> str:
    """sha256 over everything the vectors depend on: the edge lists walked (CSR arrays), the node
    counts, the settings (``cache`` aside), the seed and the torch version (its RNG streams)."""
    fields = {k: v for k, v in dataclasses.asdict(settings).items() if k != "cache"}
    head = {"version": 1, "torch": torch.__version__, "seed": seed, "path": path, "settings": fields}
    h = hashlib.sha256(json.dumps(head, sort_keys=True).encode())
    for edge_type in path:
        ptr, col = _csr(data, edge_type)
        h.update(f"{data[edge_type[0]].num_nodes},{data[edge_type[2]].num_nodes},{col.numel()};".encode())
        h.update(ptr.numpy().tobytes())
        h.update(col.numpy().tobytes())
    return h.hexdigest()


def _read_cached(file: Path, key: str, data, dim: int) -> dict[str, torch.Tensor] | None:
    """The stored vectors, or ``None`` (with a warning naming the file) when unreadable or not
    the vectors of ``key`` (wrong types, shapes or values); the caller recomputes and overwrites."""
    try:
        stored = torch.load(file, map_location="cpu", weights_only=True)
        vectors = stored["embeddings"]
        ok = stored["key"] == key and all(
            v.shape == (data[t].num_nodes, dim) and bool(torch.isfinite(v).all()) for t, v in vectors.items()
        )
    except Exception as error:  # corrupt or foreign file: any failure to read means recompute
        logger.warning("metapath2vec cache %s is unreadable (%s); recomputing it", file, error)
        return None
    if not ok:
        logger.warning("metapath2vec cache %s does not hold the expected vectors; recomputing it", file)
        return None
    return vectors


def cached_metapath2vec(
    data, path: list[EdgeType], settings: Metapath2Vec, seed: int = 0, cache_dir: str | Path | None = None
) -> dict[str, torch.Tensor]:
    """:func:`metapath2vec`, read from / written to ``cache_dir`` (default
    ``<user cache>/metapath2vec``) when ``settings.cache`` is on."""
    if not settings.cache:
        return metapath2vec(data, path, settings, seed)
    key = metapath2vec_key(data, path, settings, seed)
    file = Path(cache_dir or user_cache_dir() / "metapath2vec") / f"{key[:32]}.pt"
    if file.is_file():
        vectors = _read_cached(file, key, data, settings.dim)
        if vectors is not None:
            logger.info("metapath2vec %s: read from %s", [e[1] for e in path], file)
            return vectors
    vectors = metapath2vec(data, path, settings, seed)
    file.parent.mkdir(parents=True, exist_ok=True)
    save_atomic({"key": key, "embeddings": vectors}, file)
    return vectors


def metapath2vec_features(
    data, metapaths: list[MetaPath], types: list[str], settings: Metapath2Vec, seed: int = 0
) -> dict[str, torch.Tensor]:
    """Per type in ``types``, the concatenated metapath2vec embeddings of the meta-paths that
    visit it (one model per meta-path, seeded ``seed + i``); types no meta-path visits are left out."""
    found: dict[str, list[torch.Tensor]] = {}
    for i, mp in enumerate(metapaths):
        path = metapath_edge_types(data, mp)
        if path is None:
            raise ValueError(f"featureless 'metapath2vec' needs the edge lists of meta-path {mp!r}; none is stored")
        for t, z in cached_metapath2vec(data, path, settings, seed + i).items():
            if t in types:
                found.setdefault(t, []).append(z)
    return {t: torch.cat(zs, dim=1) for t, zs in found.items()}


def _row_normalised(m) -> torch.Tensor:
    deg = torch.from_numpy(m.sum(axis=1).A1).float()
    coo = m.tocoo()
    idx = torch.from_numpy(coo.row.astype("int64")), torch.from_numpy(coo.col.astype("int64"))
    val = 1.0 / deg[idx[0]]
    return torch.sparse_coo_tensor(torch.stack(idx), val, m.shape).coalesce()


def neighbour_types(data, t: str) -> list[str]:
    """Node types joined to ``t`` by an edge list (either direction), in ``data.edge_types`` order."""
    out = [b if a == t else a for a, _, b in data.edge_types if t in (a, b)]
    return [u for u in dict.fromkeys(out) if u != t]


def propagated_features(data, types: list[str], features: dict[str, torch.Tensor | None]) -> dict[str, torch.Tensor]:
    """Per type ``t`` in ``types``, ``[D_tu^-1 A_tu X_u]`` concatenated over :func:`neighbour_types`.

    Args:
        data: a ``HeteroData`` (read only).
        types: the featureless types to fill.
        features: inputs per type (``None`` or absent: one-hot, i.e. the block is ``D^-1 A``).

    Rows without a neighbour of type ``u`` are zero in that block. The result is sparse COO when
    a block is one-hot, dense otherwise.
    """
    out = {}
    for t in types:
        blocks = []
        for u in neighbour_types(data, t):
            a = _row_normalised(relation(data, _edge(data, t, u)))
            x = features.get(u)
            blocks.append(a if x is None else torch.sparse.mm(a, x))
        if blocks:
            sparse = any(b.is_sparse for b in blocks)
            blocks = [b.to_sparse() if sparse and not b.is_sparse else b for b in blocks]
            out[t] = torch.cat(blocks, dim=1).coalesce() if sparse else torch.cat(blocks, dim=1)
    return out


def _edge(data, t: str, u: str) -> EdgeType:
    for a, rel, b in data.edge_types:
        if (a, b) == (t, u):
            return (a, rel, b)
    return next((t, rel, u) for a, rel, b in data.edge_types if (a, b) == (u, t))


def featureless_features(
    data,
    mode: str,
    missing: list[str],
    features: dict[str, torch.Tensor | None],
    metapaths: list[MetaPath],
    settings: Metapath2Vec | None = None,
    seed: int = 0,
) -> dict[str, torch.Tensor]:
    """Structural inputs for the ``missing`` (featureless) types under ``mode`` (see the module).

    Args:
        data: a ``HeteroData`` (read only).
        mode: ``"embedding"`` (returns ``{}``: learned tables stay), ``"metapath2vec"`` or ``"propagated"``.
        missing: node types without inputs.
        features: the inputs of every type (``None``: featureless), read by ``"propagated"``.
        metapaths: the run's meta-paths, walked by ``"metapath2vec"``.
        settings: metapath2vec settings (default :class:`Metapath2Vec`).
        seed: metapath2vec seed.
    """
    if mode not in FEATURELESS:
        raise ValueError(f"featureless must be one of {FEATURELESS}, got {mode!r}")
    if mode == "embedding" or not missing:
        return {}
    if mode == "propagated":
        return propagated_features(data, missing, features)
    return metapath2vec_features(data, metapaths, missing, settings or Metapath2Vec(), seed)


class AddFeaturelessFeatures(BaseTransform):
    """PyG transform: a shallow copy of a ``HeteroData`` whose featureless node types get ``x``
    from :func:`featureless_features`; the input graph is not modified.

    Args:
        mode: ``"metapath2vec"`` or ``"propagated"`` (``"embedding"``: an unchanged copy).
        metapaths: meta-paths walked by metapath2vec (``None``: ``data.metapath_names``).
        settings: :class:`Metapath2Vec` (default: its defaults).
        seed: metapath2vec seed (0).
    """

    def __init__(self, mode: str, metapaths: list[MetaPath] | None = None, settings=None, seed: int = 0):
        if mode not in FEATURELESS:
            raise ValueError(f"featureless must be one of {FEATURELESS}, got {mode!r}")
        self.mode, self.metapaths, self.settings, self.seed = mode, metapaths, settings, seed

    def forward(self, data):  # BaseTransform.__call__ passes a shallow copy: setting x leaves the input alone
        out = data
        missing = [t for t in data.node_types if getattr(data[t], "x", None) is None]
        present = {t: data[t].x for t in data.node_types if t not in missing}
        metapaths = self.metapaths or list(getattr(data, "metapath_names", []) or [])
        feats = featureless_features(data, self.mode, missing, present, metapaths, self.settings, self.seed)
        for t, x in feats.items():
            out[t].x = x
        return out
