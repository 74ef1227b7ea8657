"""CL4SRec: SASRec plus NT-Xent between two augmented views of each sequence."""

from __future__ import annotations

import torch

from graphcl.core import NTXent
from rec.augment import augment_views
from rec.batching import SeqBatch, trim
from rec.params import CL4SRecParams
from rec.sasrec import SASRec


class CL4SRec(SASRec):
    """Xie et al., "Contrastive Learning for Sequential Recommendation" (ICDE 2022).

    ``loss = CE(next item) + cl_weight * NTXent(h(view1), h(view2))`` where each view applies an
    augmenter (crop / mask / reorder, drawn per sequence) and ``h`` is the shared SASRec encoder
    (output at the last item). In-batch negatives: 2B - 2 per row (:class:`graphcl.core.NTXent`).

    Args:
        num_items: real items (ids ``1..num_items``).
        params: :class:`rec.params.CL4SRecParams` (SASRec's fields plus ``cl_weight``,
            ``cl_temperature``, ``cl_similarity``, ``augmentations``, ``distinct_views``,
            ``crop_rate``, ``mask_rate``, ``reorder_rate``, ``mask_token``).
        seed: seed of the augmentation generator.

    Batches may carry precomputed views (``batch.views``, as in MCLRec's loader); otherwise
    :meth:`views` draws them on the batch.
    """

    def __init__(self, num_items: int, params: CL4SRecParams, seed: int = 0):
        super().__init__(num_items, params)
        m = params.model
        assert m.augmentations is not None  # CL4SRecModel.__post_init__ fills the default
        self.cl_weight = m.cl_weight
        self.augmentations = list(m.augmentations)
        self.distinct_views = m.distinct_views
        self.rates = {"crop": m.crop_rate, "mask": m.mask_rate, "reorder": m.reorder_rate}
        self.mask_id = self.mask_token if m.mask_token == "mask" else 0
        self.cl_loss = NTXent(temperature=m.cl_temperature, similarity=m.cl_similarity)
        self.generator = torch.Generator().manual_seed(int(seed))
        self.augment_context: dict = {}  # extra keyword arguments for custom augmenters

    def views(self, batch: SeqBatch) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Two augmented views of the batch (``seq1, len1, seq2, len2``)."""
        if batch.views is not None:
            return batch.views
        return augment_views(
            batch.item_seq,
            batch.item_seq_len,
            self.augmentations,
            self.rates,
            self.generator,
            self.distinct_views,
            mask_token=self.mask_id,
            **self.augment_context,
        )

    def encode_views(self, batch: SeqBatch, views=None) -> tuple[torch.Tensor, torch.Tensor]:
        """Encoder outputs of both views (``views``: precomputed ``(seq1, len1, seq2, len2)``),
        each view trimmed to its longest row."""
        seq1, len1, seq2, len2 = views if views is not None else self.views(batch)
        return self.forward(trim(seq1, len1), len1), self.forward(trim(seq2, len2), len2)

    def loss(self, batch: SeqBatch) -> torch.Tensor:
        loss = self.recommendation_loss(batch)
        if self.cl_weight > 0:
            z1, z2 = self.encode_views(batch)
            loss = loss + self.cl_weight * self.cl_loss(z1, z2)
        return loss
