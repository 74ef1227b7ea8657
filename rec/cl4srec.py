"""CL4SRec: SASRec plus NT-Xent between two augmented views of each sequence."""
from __future__ import annotations

import torch

from graphcl.core import NTXent
from rec.augment import augment_views
from rec.batching import trim
from rec.sasrec import SASRec
from rec.shim_config import config_get


class CL4SRec(SASRec):
    """Xie et al., "Contrastive Learning for Sequential Recommendation" (ICDE 2022).

    ``loss = CE(next item) + cl_weight * NTXent(h(view1), h(view2))`` where each view applies an
    augmenter (crop / mask / reorder, drawn per sequence) and ``h`` is the shared SASRec encoder
    (output at the last item). In-batch negatives: 2B - 2 per row (:class:`graphcl.core.NTXent`).

    Args:
        config: :class:`SASRec` keys plus ``cl_weight``, ``cl_temperature``, ``cl_similarity``,
            ``augmentations``, ``distinct_views``, ``crop_rate``, ``mask_rate``, ``reorder_rate``,
            ``mask_token`` (``mask`` or ``padding``) and ``seed`` (augmentation generator).
        dataset: anything with ``num(item_field)``.

    Batches may carry precomputed views (``aug1``, ``aug_len1``, ``aug2``, ``aug_len2``, as in
    MCLRec's loader); otherwise :meth:`views` draws them on the batch.
    """

    def __init__(self, config, dataset):
        super().__init__(config, dataset)
        self.cl_weight = config_get(config, "cl_weight", 0.1)
        self.augmentations = list(config_get(config, "augmentations", ["crop", "mask", "reorder"]))
        self.distinct_views = bool(config_get(config, "distinct_views", False))
        self.rates = {"crop": config_get(config, "crop_rate", 0.2), "mask": config_get(config, "mask_rate", 0.7),
                      "reorder": config_get(config, "reorder_rate", 0.2)}
        self.mask_id = self.mask_token if config_get(config, "mask_token", "mask") == "mask" else 0
        self.cl_loss = NTXent(temperature=config_get(config, "cl_temperature", 1.0),
                              similarity=config_get(config, "cl_similarity", "dot"))
        self.generator = torch.Generator().manual_seed(int(config_get(config, "seed", 0)))
        self.augment_context: dict = {}  # extra keyword arguments for custom augmenters

    def views(self, interaction) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Two augmented views of the batch (``seq1, len1, seq2, len2``)."""
        if "aug1" in interaction:
            return interaction["aug1"], interaction["aug_len1"], interaction["aug2"], interaction["aug_len2"]
        return augment_views(interaction[self.ITEM_SEQ], interaction[self.ITEM_SEQ_LEN], self.augmentations,
                             self.rates, self.generator, self.distinct_views, mask_token=self.mask_id,
                             **self.augment_context)

    def encode_views(self, interaction, views=None) -> tuple[torch.Tensor, torch.Tensor]:
        """Encoder outputs of both views (``views``: precomputed ``(seq1, len1, seq2, len2)``)."""
        seq1, len1, seq2, len2 = views if views is not None else self.views(interaction)
        return self.forward(trim(seq1, len1), len1), self.forward(trim(seq2, len2), len2)

    def calculate_loss(self, interaction) -> torch.Tensor:
        loss = self.recommendation_loss(interaction)
        if self.cl_weight > 0:
            z1, z2 = self.encode_views(interaction)
            loss = loss + self.cl_weight * self.cl_loss(z1, z2)
        return loss
