"""SASRec with the full-softmax cross entropy, as a RecBole ``SequentialRecommender``."""
from __future__ import annotations

import torch
from torch import nn

from rec.fast_dropout import use_fast_dropout
from rec.recbole_compat import SequentialRecommender
from rec.transformer import TransformerEncoder, causal_padding_mask
from rec.shim_config import config_get


class SASRec(SequentialRecommender):
    """Self-attentive sequential recommender (Kang & McAuley, ICDM 2018), trained as in CL4SRec /
    MCLRec: the last position's output scores all items, cross entropy over the full catalogue.

    Works with RecBole's own ``Config`` / ``Dataset`` / ``Trainer`` and with our
    :class:`rec.shim_config.ShimConfig` / :class:`rec.shim_dataset.ShimDataset`.

    Args:
        config: keys ``hidden_size``, ``n_layers``, ``n_heads``, ``inner_size``,
            ``hidden_dropout_prob``, ``attn_dropout_prob``, ``hidden_act``, ``layer_norm_eps``,
            ``initializer_range``, ``fast_dropout`` (default true: :class:`rec.fast_dropout.FastDropout`)
            plus RecBole's field names, ``MAX_ITEM_LIST_LENGTH`` and ``device``.
        dataset: anything with ``num(item_field)`` (RecBole ``Dataset`` or ``ShimDataset``).

    The item table has ``n_items + 1`` rows: ids ``0..n_items-1`` (0 = padding) and one
    ``[mask]`` id ``n_items`` (:attr:`mask_token`) for the CL4SRec mask augmenter; scores cover
    ``0..n_items-1`` only.
    """

    TARGET_SEQ = "target_id_list"  # per-position next items of ``train_targets: all_positions`` batches

    def __init__(self, config, dataset):
        super().__init__(config, dataset)
        self.hidden_size = config["hidden_size"]
        self.initializer_range = config_get(config, "initializer_range", 0.02)
        layer_norm_eps = config_get(config, "layer_norm_eps", 1e-12)
        self.item_embedding = nn.Embedding(self.n_items + 1, self.hidden_size, padding_idx=0)
        self.position_embedding = nn.Embedding(self.max_seq_length, self.hidden_size)
        self.trm_encoder = TransformerEncoder(
            n_layers=config["n_layers"], n_heads=config["n_heads"], hidden_size=self.hidden_size,
            inner_size=config["inner_size"], hidden_dropout_prob=config["hidden_dropout_prob"],
            attn_dropout_prob=config["attn_dropout_prob"], hidden_act=config_get(config, "hidden_act", "gelu"),
            layer_norm_eps=layer_norm_eps)
        self.LayerNorm = nn.LayerNorm(self.hidden_size, eps=layer_norm_eps)
        self.dropout = nn.Dropout(config["hidden_dropout_prob"])
        self.loss_fct = nn.CrossEntropyLoss()
        self.apply(self._init_weights)
        if config_get(config, "fast_dropout", True):
            use_fast_dropout(self)

    @property
    def mask_token(self) -> int:
        return self.n_items

    def _init_weights(self, module: nn.Module) -> None:
        if isinstance(module, (nn.Linear, nn.Embedding)):
            module.weight.data.normal_(mean=0.0, std=self.initializer_range)
        elif isinstance(module, nn.LayerNorm):
            module.bias.data.zero_()
            module.weight.data.fill_(1.0)
        if isinstance(module, nn.Linear) and module.bias is not None:
            module.bias.data.zero_()

    def _embed(self, item_seq: torch.Tensor) -> torch.Tensor:
        if item_seq.shape[1] > self.max_seq_length:
            raise ValueError(f"item_seq has {item_seq.shape[1]} columns but max_seq_length is "
                             f"{self.max_seq_length}; keep the last {self.max_seq_length} items")
        positions = torch.arange(item_seq.size(1), device=item_seq.device).unsqueeze(0).expand_as(item_seq)
        hidden = self.item_embedding(item_seq) + self.position_embedding(positions)
        return self.dropout(self.LayerNorm(hidden))

    def encode(self, item_seq: torch.Tensor) -> torch.Tensor:
        """``[B, L]`` left-aligned ids -> ``[B, L, hidden]``: position ``t`` has seen items ``0..t``."""
        return self.trm_encoder(self._embed(item_seq), causal_padding_mask(item_seq))

    def forward(self, item_seq: torch.Tensor, item_seq_len: torch.Tensor) -> torch.Tensor:
        """``[B, L]`` left-aligned ids and ``[B]`` lengths -> ``[B, hidden]`` (output at the last
        item; the last block runs only there)."""
        return self.trm_encoder(self._embed(item_seq), causal_padding_mask(item_seq),
                                query_positions=(item_seq_len - 1).clamp(min=0))

    def item_scores(self, seq_output: torch.Tensor) -> torch.Tensor:
        """Dot products with every real item id (``[B, n_items]``; the [mask] row is left out)."""
        return seq_output @ self.item_embedding.weight[: self.n_items].t()

    def next_item_loss(self, interaction) -> tuple[torch.Tensor, torch.Tensor]:
        """``(cross entropy, sequence representations [B, hidden])`` from one encoder pass.

        A batch with :attr:`TARGET_SEQ` (``train_targets: all_positions``) is scored at every
        position that has a target (mean over those positions, as in SASRec); otherwise at the
        last item against ``POS_ITEM_ID`` (one example per prefix).
        """
        item_seq, lengths = interaction[self.ITEM_SEQ], interaction[self.ITEM_SEQ_LEN]
        if self.TARGET_SEQ not in interaction:
            seq_output = self.forward(item_seq, lengths)
            return self.loss_fct(self.item_scores(seq_output), interaction[self.POS_ITEM_ID]), seq_output
        output = self.encode(item_seq)
        targets = interaction[self.TARGET_SEQ]
        has_target = targets > 0
        seq_output = self.gather_indexes(output, (lengths - 1).clamp(min=0))
        return self.loss_fct(self.item_scores(output[has_target]), targets[has_target]), seq_output

    def recommendation_loss(self, interaction) -> torch.Tensor:
        return self.next_item_loss(interaction)[0]

    def calculate_loss(self, interaction) -> torch.Tensor:
        return self.recommendation_loss(interaction)

    def predict(self, interaction) -> torch.Tensor:
        seq_output = self.forward(interaction[self.ITEM_SEQ], interaction[self.ITEM_SEQ_LEN])
        return (seq_output * self.item_embedding(interaction[self.ITEM_ID])).sum(dim=-1)

    def full_sort_predict(self, interaction) -> torch.Tensor:
        return self.item_scores(self.forward(interaction[self.ITEM_SEQ], interaction[self.ITEM_SEQ_LEN]))
