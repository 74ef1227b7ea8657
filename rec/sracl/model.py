"""SRA-CL on a SASRec backbone.

Cui et al., "Semantic Retrieval Augmented Contrastive Learning for Sequential Recommendation",
NeurIPS 2025 (arXiv:2503.04162; code github.com/ziqiangcui/SRA-CL). Loss per batch::

    L = L_rec + user_cl_weight * L_inter + item_cl_weight * L_intra

- ``L_rec``: SASRec's next-item loss (full softmax CE in the paper).
- ``L_inter`` (cross-sequence): NT-Xent between a sequence's representation and a positive
  synthesised from the encoded training sequences of its k semantically retrieved users,
  weighted by :class:`~rec.sracl.synthesis.SampleSynthesis`.
- ``L_intra`` (intra-sequence): NT-Xent between two semantic-substitution views
  (:func:`~rec.sracl.substitution.semantic_substitute`).

The retrieval tables come from a :class:`~rec.sracl.semantic_index.SemanticIndex`, built before
the model (``rec.train.build_model`` or :func:`rec.recbole.prepare_sracl`): :meth:`SRACL.from_index`
uses it in the data's own ids; RecBole's adapter (:mod:`rec.recbole`) remaps it to RecBole's
internal ids first.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from graphcl.core import NTXent
from rec.batching import SeqBatch, length_sorted_chunks, trim
from rec.sasrec import SASRec
from rec.sracl.candidates import masked_topk
from rec.sracl.id_mapping import row_tables
from rec.sracl.params import SRACLParams
from rec.sracl.semantic_index import SemanticIndex
from rec.sracl.substitution import semantic_substitute
from rec.sracl.synthesis import SampleSynthesis
from rec.sracl.user_profiles import prefix_mean_embeddings


class SRACL(SASRec):
    """SASRec trained with SRA-CL's two semantic contrastive losses.

    Args:
        num_items: real items (ids ``1..num_items``).
        params: :class:`rec.sracl.params.SRACLParams` (the model reads SASRec's fields plus
            ``user_cl_weight``, ``item_cl_weight``, ``cl_temperature``, ``substitution_rate``,
            ``synthesis_dropout``, ``neighbour_encoding``, ``user_retrieval``,
            ``retrieval_candidates`` and ``profile_max_items``; the rest configure the index).
        tables: the retrieval tables in the model's ids (:func:`rec.sracl.id_mapping.row_tables`
            or ``remap_index``): ``item_emb``, ``item_neighbours``, ``user_emb``,
            ``user_neighbours``, ``user_seqs``, ``user_seq_len`` and optionally the prefix tables.
        sources: ``{"item": ..., "user": ...}``, where the semantic vectors came from.
    """

    # Buffers registered from ``tables`` and in _setup_retrieval (the prefix and unit tables only
    # when the retrieval settings use them); declared so the type checker sees tensors.
    item_neighbours: torch.Tensor
    user_emb: torch.Tensor
    user_neighbours: torch.Tensor
    user_seqs: torch.Tensor
    user_seq_len: torch.Tensor
    prefix_seqs: torch.Tensor
    prefix_len: torch.Tensor
    prefix_owner: torch.Tensor
    prefix_emb: torch.Tensor
    item_unit: torch.Tensor
    candidate_unit: torch.Tensor

    def __init__(self, num_items: int, params: SRACLParams, tables: dict[str, torch.Tensor], sources: dict[str, str]):
        super().__init__(num_items, params)
        tables = dict(tables)
        item_emb = tables.pop("item_emb")
        for name, table in tables.items():
            self.register_buffer(name, table, persistent=False)
        self.semantic_sources = dict(sources)
        self._setup_retrieval(params, item_emb)
        self.user_cl_weight = params.model.user_cl_weight
        self.item_cl_weight = params.model.item_cl_weight
        self.substitution_rate = params.model.substitution_rate
        self.synthesis = SampleSynthesis(
            self.user_emb.size(1), self.hidden_size, neighbour_dropout=params.model.synthesis_dropout
        )
        self.cl_loss = NTXent(temperature=params.model.cl_temperature, similarity="dot")
        self.neighbour_encoding = params.model.neighbour_encoding
        self.user_repr_cache: torch.Tensor | None = None
        self.last_losses: dict[str, float] = {}

    @classmethod
    def from_index(cls, num_items: int, params: SRACLParams, index: SemanticIndex) -> SRACL:
        """The model on ``index``'s own ids (items as in the data, users as its rows: what
        :class:`rec.split.LeaveOneOut` uses)."""
        return cls(num_items, params, row_tables(index), {"item": index.item_source, "user": index.user_source})

    def _setup_retrieval(self, params: SRACLParams, item_emb: torch.Tensor) -> None:
        """Check that the tables serve ``user_retrieval`` / ``retrieval_candidates`` (the params
        check themselves); register the unit vectors that per-prefix retrieval scores against."""
        self.user_retrieval = params.model.user_retrieval
        self.retrieval_candidates = params.model.retrieval_candidates
        self.profile_max_items = params.model.profile_max_items
        if self.user_retrieval != "prefix":
            return
        user_source = self.semantic_sources.get("user", "")
        if not user_source.startswith("mean-of-training-item-vectors"):
            raise ValueError(
                "user_retrieval='prefix' needs user vectors made with user_semantics='mean_items' "
                f"(the index's users come from {user_source!r}); rebuild the index"
            )
        self.register_buffer("item_unit", F.normalize(item_emb.float(), dim=1), persistent=False)
        if self.retrieval_candidates == "prefixes":
            if not hasattr(self, "prefix_seqs"):
                raise ValueError(
                    "retrieval_candidates='prefixes' but the semantic index has no prefix tables; "
                    "rebuild it with retrieval_candidates='prefixes'"
                )
            self.register_buffer(
                "prefix_emb",
                prefix_mean_embeddings(self.prefix_seqs, self.prefix_len, self.item_unit, self.profile_max_items),
                persistent=False,
            )
        self.register_buffer("candidate_unit", F.normalize(self.candidates()[2].float(), dim=1), persistent=False)

    def candidates(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """What the cross-sequence retrieval returns rows of: ``(sequences [C, L], lengths [C],
        semantic vectors [C, D], owning user [C] or None when the rows are the users)``.
        Users' training sequences, or with ``retrieval_candidates='prefixes'`` every training
        prefix."""
        if self.retrieval_candidates == "prefixes":
            return self.prefix_seqs, self.prefix_len, self.prefix_emb, self.prefix_owner
        return self.user_seqs, self.user_seq_len, self.user_emb, None

    def retrieve_users(
        self, item_seq: torch.Tensor | None, item_seq_len: torch.Tensor | None, user_ids: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Each anchor's semantic vector ``[B, D]`` and its retrieved candidates ``[B, k]``
        (rows of :meth:`candidates`).

        ``user``: the precomputed per-user tables. ``prefix``: the mean item vector of the
        prefix's own last ``profile_max_items`` items, matched by cosine against every
        candidate (user or prefix) of another user: the anchor's own user is excluded, as its
        training sequence holds this prefix's target.
        """
        if self.user_retrieval == "user":
            return self.user_emb[user_ids], self.user_neighbours[user_ids]
        if item_seq is None or item_seq_len is None:
            raise ValueError("user_retrieval='prefix' needs the anchors' item_seq and item_seq_len")
        query = prefix_mean_embeddings(item_seq, item_seq_len, self.item_unit, self.profile_max_items)
        _, lens, _, owner = self.candidates()
        valid = None if owner is not None else lens > 0  # every prefix has items; some users may not
        return query, masked_topk(query, self.candidate_unit, self.user_neighbours.size(1), user_ids, owner, valid)

    def inter_sequence_loss(
        self,
        seq_output: torch.Tensor,
        user_ids: torch.Tensor,
        item_seq: torch.Tensor | None = None,
        item_seq_len: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """NT-Xent between ``seq_output [B, H]`` and the synthesised cross-sequence positives
        (``item_seq``/``item_seq_len``, the anchors' prefixes, are needed for ``prefix`` retrieval)."""
        anchor_sem, neighbours = self.retrieve_users(item_seq, item_seq_len, user_ids)  # [B, D], [B, k]
        seqs, lens, vectors, _ = self.candidates()
        if self.neighbour_encoding == "epoch_cache":
            if self.user_repr_cache is None:
                self.refresh_user_cache()
            assert self.user_repr_cache is not None  # set by refresh_user_cache
            neighbour_repr = self.user_repr_cache[neighbours]
        else:
            # Encode each distinct retrieved candidate once per batch (anchors share many
            # neighbours), in length-sorted chunks trimmed to their own longest row.
            unique, inverse = neighbours.unique(return_inverse=True)
            # online_detached: the same fresh train-mode pass, without the backward through
            # ~9 batches' worth of neighbour sequences that dominates an online step
            with torch.set_grad_enabled(torch.is_grad_enabled() and self.neighbour_encoding == "online"):
                neighbour_repr = self.encode_many(seqs[unique], lens[unique])[inverse]  # [B, k, H]
        positive, _ = self.synthesis(anchor_sem, vectors[neighbours], neighbour_repr)
        return self.cl_loss(seq_output, positive)

    def encode_many(self, seqs: torch.Tensor, lens: torch.Tensor, chunk_size: int = 256) -> torch.Tensor:
        """``[N, hidden]`` representations of many sequences, encoded in chunks of similar
        length, each trimmed to its longest row (rows of length 0 get zeros)."""
        out = seqs.new_zeros(seqs.size(0), self.hidden_size, dtype=self.item_embedding.weight.dtype)
        has_items = (lens > 0).nonzero().flatten()
        chunks = [has_items[c] for c in length_sorted_chunks(lens[has_items], chunk_size)]
        if not chunks:
            return out
        encoded = torch.cat([self.forward(trim(seqs[rows], lens[rows]), lens[rows]) for rows in chunks])
        return out.index_put((torch.cat(chunks),), encoded)

    @torch.no_grad()
    def refresh_user_cache(self, batch_size: int = 1024) -> None:
        """Encode every retrieval candidate (users' training sequences, or training prefixes)
        in eval mode without gradient into the memory bank of ``neighbour_encoding='epoch_cache'``."""
        was_training = self.training
        self.eval()
        seqs, lens, _, _ = self.candidates()
        self.user_repr_cache = self.encode_many(seqs, lens, batch_size)
        self.train(was_training)

    def on_epoch_start(self, trainer) -> None:
        """Trainer hook: refresh the memory bank once per epoch (``epoch_cache`` only)."""
        if self.neighbour_encoding == "epoch_cache":
            self.refresh_user_cache(trainer.params.eval.eval_batch_size)

    def intra_sequence_loss(self, item_seq: torch.Tensor, item_seq_len: torch.Tensor) -> torch.Tensor:
        """NT-Xent between two semantic-substitution views of the batch."""
        view1 = semantic_substitute(item_seq, item_seq_len, self.item_neighbours, self.substitution_rate)
        view2 = semantic_substitute(item_seq, item_seq_len, self.item_neighbours, self.substitution_rate)
        return self.cl_loss(self.forward(view1, item_seq_len), self.forward(view2, item_seq_len))

    def loss(self, batch: SeqBatch) -> torch.Tensor:
        item_seq, item_seq_len = batch.item_seq, batch.item_seq_len
        # One encoder pass serves the next-item loss and the inter-sequence anchor (the official
        # code runs a second pass with fresh dropout; sharing it saves a forward/backward).
        rec_loss, seq_output = self.next_item_loss(batch)
        total = rec_loss
        parts = {"rec": float(rec_loss.detach())}
        # NT-Xent needs in-batch negatives; gathered across ranks (torchrun, gather_negatives) a
        # share of one row has them, and every rank must then join the same all_gathers
        if item_seq.size(0) >= 2 or self.cl_loss.gather_distributed:
            if self.user_cl_weight > 0:
                if batch.user is None:
                    raise ValueError("SRA-CL batches need batch.user (the rows' user indices) for retrieval")
                inter = self.inter_sequence_loss(seq_output, batch.user, item_seq, item_seq_len)
                total = total + self.user_cl_weight * inter
                parts["inter"] = float(inter.detach())
            if self.item_cl_weight > 0:
                intra = self.intra_sequence_loss(item_seq, item_seq_len)
                total = total + self.item_cl_weight * intra
                parts["intra"] = float(intra.detach())
        self.last_losses = parts
        return total

    def training_step(self, batch: SeqBatch, trainer) -> dict[str, float]:
        """Trainer hook (``rec.trainer.SeqRecTrainer``): one optimisation step that also reports
        the three loss terms (``rec``, ``inter``, ``intra``) in the training history."""
        loss = trainer.compute_loss(self.loss, batch)  # through DDP under torchrun
        trainer.step_on(loss, detail=f" (SRA-CL terms {self.last_losses})")
        return {"loss": float(loss.detach()), **self.last_losses}
