"""MEOW: meta-path contexts + cluster-weighted negatives + prototypes."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from graphcl.core import ClusterNegativeWeights, InfoNCE, ProtoNCE, cluster_concentration, kmeans
from graphcl.hetero.meow_encoder import MEOWEncoder, check_embedding, project_unit
from graphcl.hetero.meow_inputs import MEOWInputs


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
    :class:`MEOWInputs`), and a ProtoNCE term pulls the coarse embeddings to the fine-view prototypes
    with PCL concentrations rescaled to ``tau``:
    ``loss = InfoNCE_w(coarse, fine) + lam_proto * ProtoNCE(coarse)``.

    Args:
        inputs: the precomputed :class:`MEOWInputs`.
        hidden_dim: embedding width.
        tau: temperature of both terms.
        dropout: dropout rate.
        num_clusters: k-means cluster counts.
        lam_proto: weight of the prototypical term.
        kmeans_iters: Lloyd iterations per clustering.
        chunk_size: anchor rows per InfoNCE block (memory O(N * chunk_size)).
        seed: base seed of the k-means initialisations.
        kmeans_restarts: k-means runs per clustering, the best kept (official: 5).
        embedding: what :meth:`embed` returns: ``"fused"`` (the attention fusion of the fine
            views, as the official ``get_embeds``) or ``"projected"`` (its unit-norm projection,
            the candidates the loss acts on; clusters better on ACM, see docs/hetero.md).
    """

    def __init__(self, inputs: MEOWInputs, hidden_dim: int = 64, tau: float = 0.4, dropout: float = 0.2,
                 num_clusters: list[int] = (100, 300), lam_proto: float = 1.0, kmeans_iters: int = 20,
                 chunk_size: int | None = None, seed: int = 0, kmeans_restarts: int = 5,
                 embedding: str = "fused"):
        super().__init__()
        self.embedding = check_embedding(embedding)
        n = inputs.num_nodes[inputs.target]
        if max(num_clusters) > n:
            raise ValueError(f"num_clusters {list(num_clusters)} exceeds the {n} target nodes; use fewer clusters")
        self.inputs = inputs
        self.encoder = MEOWEncoder(inputs.target, inputs.num_nodes, inputs.in_dims, inputs.context_types,
                                   hidden_dim, dropout)
        self.project = nn.Linear(hidden_dim, hidden_dim)
        self.tau, self.lam_proto = tau, lam_proto
        self.num_clusters, self.kmeans_iters, self.seed = list(num_clusters), kmeans_iters, seed
        self.kmeans_restarts = kmeans_restarts
        self.info = InfoNCE(temperature=tau, similarity="cosine", positives_in_denominator=False,
                            chunk_size=chunk_size)
        self.proto = ProtoNCE(temperature=tau)
        self.epoch = 0

    def _views(self):
        z_coarse, _, z = self.encoder(*self.inputs.encoder_args())
        return project_unit(self.project, z_coarse), project_unit(self.project, z), z

    def loss(self) -> torch.Tensor:
        anchor, cand, _ = self._views()
        detached = cand.detach()
        assignments, centroids, phis = [], [], []
        for i, k in enumerate(self.num_clusters):
            a, c = kmeans(detached, k, n_iter=self.kmeans_iters, seed=self.seed + 1000 * self.epoch + i,
                          n_init=self.kmeans_restarts)
            assignments.append(a)
            centroids.append(F.normalize(c, dim=1))
            phis.append(cluster_concentration(detached, a, c, alpha=5.0, temperature=self.tau))
        self.epoch += 1
        # summed in factorised form (no N x N weights); same values as cluster_negative_weights
        loss_info = self.info(anchor, cand, pos_mask=self.inputs.pos_mask,
                              neg_weights=ClusterNegativeWeights(assignments))
        loss_proto = self.proto(anchor, assignments, centroids, phis)
        return loss_info + self.lam_proto * loss_proto

    def embed(self) -> torch.Tensor:
        """Node embeddings without dropout: the fused fine-grained view, or its unit-norm
        projection when ``embedding="projected"``."""
        return self.encoder.embed(self.inputs, self.project if self.embedding == "projected" else None)
