"""SASRec with the full-softmax cross entropy, in plain torch."""

from __future__ import annotations

import torch
from torch import nn

from rec.batching import SeqBatch
from rec.params import SASRecParams
from rec.transformer import TransformerEncoder, causal_padding_mask, use_fast_dropout


class SASRec(nn.Module):
    """Self-attentive sequential recommender (Kang & McAuley, ICDM 2018), trained as in CL4SRec /
    MCLRec: the last position's output scores all items, cross entropy over the full catalogue.

    Args:
        num_items: real items, ids ``1..num_items`` (0 is padding).
        params: :class:`rec.params.SASRecParams` (its ``model`` section: ``hidden_size``, ``n_layers``, ``n_heads``,
            ``inner_size``, dropouts, ``hidden_act``, ``layer_norm_eps``,
            ``initializer_range``, ``max_seq_length``, ``fast_dropout``).

    The item table has ``num_items + 2`` rows: padding 0, items ``1..num_items`` and one
    ``[mask]`` id ``num_items + 1`` (:attr:`mask_token`) for the CL4SRec mask augmenter; scores
    cover ids ``0..num_items`` (column 0, padding, is never ranked). RecBole's trainer runs it
    through :class:`rec.recbole.RecBoleSASRec`.
    """

    def __init__(self, num_items: int, params: SASRecParams):
        super().__init__()
        if int(num_items) < 1:
            raise ValueError(f"num_items must be >= 1, got {num_items}")
        self.num_items, self.params = int(num_items), params
        m = params.model
        self.hidden_size, self.max_seq_length = m.hidden_size, m.max_seq_length
        self.item_embedding = nn.Embedding(self.num_items + 2, self.hidden_size, padding_idx=0)
        self.position_embedding = nn.Embedding(self.max_seq_length, self.hidden_size)
        self.trm_encoder = TransformerEncoder(
            n_layers=m.n_layers,
            n_heads=m.n_heads,
            hidden_size=self.hidden_size,
            inner_size=m.inner_size,
            hidden_dropout_prob=m.hidden_dropout_prob,
            attn_dropout_prob=m.attn_dropout_prob,
            hidden_act=m.hidden_act,
            layer_norm_eps=m.layer_norm_eps,
        )
        self.LayerNorm = nn.LayerNorm(self.hidden_size, eps=m.layer_norm_eps)
        self.dropout = nn.Dropout(m.hidden_dropout_prob)
        self.loss_fct = nn.CrossEntropyLoss()
        self.apply(self._init_weights)
        if m.fast_dropout:
            use_fast_dropout(self)

    @property
    def mask_token(self) -> int:
        return self.num_items + 1

    def _init_weights(self, module: nn.Module) -> None:
        if isinstance(module, (nn.Linear, nn.Embedding)):
            module.weight.data.normal_(mean=0.0, std=self.params.model.initializer_range)
        elif isinstance(module, nn.LayerNorm):
            module.bias.data.zero_()
            module.weight.data.fill_(1.0)
        if isinstance(module, nn.Linear) and module.bias is not None:
            module.bias.data.zero_()

    def _embed(self, item_seq: torch.Tensor) -> torch.Tensor:
        if item_seq.shape[1] > self.max_seq_length:
            raise ValueError(
                f"item_seq has {item_seq.shape[1]} columns but max_seq_length is "
                f"{self.max_seq_length}; keep the last {self.max_seq_length} items"
            )
        positions = torch.arange(item_seq.size(1), device=item_seq.device).unsqueeze(0).expand_as(item_seq)
        hidden = self.item_embedding(item_seq) + self.position_embedding(positions)
        return self.dropout(self.LayerNorm(hidden))

    def encode(self, item_seq: torch.Tensor) -> torch.Tensor:
        """``[B, L]`` left-aligned ids -> ``[B, L, hidden]``: position ``t`` has seen items ``0..t``."""
        return self.trm_encoder(self._embed(item_seq), causal_padding_mask(item_seq))

    def forward(self, item_seq: torch.Tensor, item_seq_len: torch.Tensor) -> torch.Tensor:
        """``[B, L]`` left-aligned ids and ``[B]`` lengths -> ``[B, hidden]`` (output at the last
        item; the last block runs only there)."""
        return self.trm_encoder(
            self._embed(item_seq), causal_padding_mask(item_seq), query_positions=(item_seq_len - 1).clamp(min=0)
        )

    def item_scores(self, seq_output: torch.Tensor) -> torch.Tensor:
        """Dot products with ids ``0..num_items`` (``[..., num_items + 1]``; [mask] left out)."""
        return seq_output @ self.item_embedding.weight[: self.num_items + 1].t()

    def next_item_loss(self, batch: SeqBatch) -> tuple[torch.Tensor, torch.Tensor]:
        """``(cross entropy, sequence representations [B, hidden])`` from one encoder pass.

        A batch with ``target_seq`` (``train_targets: all_positions``) is scored at every
        position that has a target (mean over those positions, as in SASRec); otherwise at the
        last item against ``target`` (one example per prefix).
        """
        if batch.target_seq is None:
            seq_output = self.forward(batch.item_seq, batch.item_seq_len)
            return self.loss_fct(self.item_scores(seq_output), batch.target), seq_output
        output = self.encode(batch.item_seq)
        has_target = batch.target_seq > 0
        rows = torch.arange(output.shape[0], device=output.device)
        seq_output = output[rows, (batch.item_seq_len - 1).clamp(min=0)]
        return self.loss_fct(self.item_scores(output[has_target]), batch.target_seq[has_target]), seq_output

    def recommendation_loss(self, batch: SeqBatch) -> torch.Tensor:
        return self.next_item_loss(batch)[0]

    def loss(self, batch: SeqBatch) -> torch.Tensor:
        """The training loss of a batch (SASRec: the next-item cross entropy)."""
        return self.recommendation_loss(batch)

    def full_sort_scores(self, batch: SeqBatch) -> torch.Tensor:
        """``[B, num_items + 1]`` scores of every item id for each row."""
        return self.item_scores(self.forward(batch.item_seq, batch.item_seq_len))
