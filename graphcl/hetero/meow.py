"""MEOW: meta-path contexts + cluster-weighted negatives + prototypes."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from graphcl.core import ClusterNegativeWeights, InfoNCE, ProtoNCE, cluster_concentration, kmeans
from graphcl.hetero.inputs import MEOWInputs
from graphcl.hetero.meow_encoder import MEOWEncoder, project_unit
from graphcl.hetero.params import MEOWParams


class MEOW(nn.Module):
    r"""MEOW (Yu et al., "Heterogeneous Graph Contrastive Learning with Meta-path Contexts and
    Weighted Negative Samples", SDM 2023 / arXiv:2212.13847).

    The coarse embedding (anchor) and the fused fine-grained embedding (candidate) pass through a
    shared projection ``normalize(tanh(W z))`` (official ``project``). Every epoch the projected
    fine embeddings are clustered by k-means at each of ``num_clusters``; negative ``j`` of anchor
    ``i`` is weighted by the number of clusterings separating them
    (:func:`graphcl.core.cluster_negative_weights`, summed via
    :class:`graphcl.core.ClusterNegativeWeights`), the InfoNCE has no positive in the denominator
    (official form; ``inputs.pos_mask`` adds HeCo's meta-path positives, see
    :class:`~graphcl.hetero.inputs.MEOWInputs`), and a ProtoNCE term pulls the coarse embeddings
    to the fine-view prototypes with PCL concentrations rescaled to ``tau``:
    ``loss = InfoNCE_w(coarse, fine) + lam_proto * ProtoNCE(coarse)``.

    Args:
        params: the hyperparameters (:class:`~graphcl.hetero.params.MEOWParams`: ``hidden_dim``,
            ``tau``, ``dropout``, ``num_clusters``, ``lam_proto``, ``kmeans_iters``,
            ``kmeans_restarts``, ``chunk_size``, ``embedding``).
        inputs: the :class:`~graphcl.hetero.inputs.MEOWInputs` it will train on (sizes are read
            from them; they are not kept).
        seed: base seed of the k-means initialisations (default 0).

    Example:
        >>> inputs = ToMEOWInputs(params, target="paper")(data)
        >>> model = MEOW(params, inputs)
        >>> model.loss(inputs).backward()
    """

    def __init__(self, params: MEOWParams, inputs: MEOWInputs, seed: int = 0):
        super().__init__()
        if not isinstance(params, MEOWParams):
            raise TypeError(f"MEOW needs MEOWParams, got {type(params).__name__}")
        n = inputs.num_nodes[inputs.target]
        if max(params.model.num_clusters) > n:
            raise ValueError(
                f"num_clusters {params.model.num_clusters} exceeds the {n} target nodes; use fewer clusters"
            )
        self.params, self.seed = params, seed
        self.encoder = MEOWEncoder(inputs, params.model.hidden_dim, params.model.dropout)
        self.project = nn.Linear(params.model.hidden_dim, params.model.hidden_dim)
        self.info = InfoNCE(
            temperature=params.model.tau,
            similarity="cosine",
            positives_in_denominator=False,
            chunk_size=params.train.chunk_size,
        )
        self.proto = ProtoNCE(temperature=params.model.tau)
        self.epoch = 0  # k-means seeds change every epoch

    def _views(self, inputs: MEOWInputs):
        z_coarse, _, z = self.encoder(inputs)
        return project_unit(self.project, z_coarse), project_unit(self.project, z), z

    def loss(self, inputs: MEOWInputs) -> torch.Tensor:
        p = self.params.model
        anchor, cand, _ = self._views(inputs)
        detached = cand.detach()
        assignments, centroids, phis = [], [], []
        for i, k in enumerate(p.num_clusters):
            a, c = kmeans(
                detached, k, n_iter=p.kmeans_iters, seed=self.seed + 1000 * self.epoch + i, n_init=p.kmeans_restarts
            )
            assignments.append(a)
            centroids.append(F.normalize(c, dim=1))
            if p.lam_proto:  # concentrations only feed the ProtoNCE term
                phis.append(cluster_concentration(detached, a, c, alpha=5.0, temperature=p.tau))
        self.epoch += 1
        # summed in factorised form (no N x N weights); same values as cluster_negative_weights
        loss_info = self.info(anchor, cand, pos_mask=inputs.pos_mask, neg_weights=ClusterNegativeWeights(assignments))
        if not p.lam_proto:  # ACM's shipped config: the clusters still weigh the negatives
            return loss_info
        return loss_info + p.lam_proto * self.proto(anchor, assignments, centroids, phis)

    def embed(self, inputs: MEOWInputs) -> torch.Tensor:
        """Node embeddings without dropout: the fused fine-grained view, or its unit-norm
        projection when ``params.model.embedding="projected"``."""
        return self.encoder.embed(inputs, self.project if self.params.model.embedding == "projected" else None)
