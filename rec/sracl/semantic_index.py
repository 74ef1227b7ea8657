"""Everything SRA-CL retrieves before training, built once per dataset.

SRA-CL (Cui et al., NeurIPS 2025) precomputes item and user semantic embeddings and their
top-k neighbour lists; training then only gathers rows. :class:`SemanticIndex` holds them in
the dataset's id space (items ``1..num_items``, users in the order of ``user_ids``) together
with each user's training sequence, which the cross-sequence positive encodes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from rec.sracl.amazon_meta import registry_item_text
from rec.sracl.candidates import training_prefixes
from rec.sracl.embedding_cache import cached_encode
from rec.sracl.embedding_file import load_embedding_file
from rec.sracl.retrieval import topk_neighbours
from rec.sracl.text_file import item_text_from_file
from rec.sracl.user_profiles import (
    build_profile_texts,
    history_mean_embeddings,
    load_profile_file,
    training_history,
)


def default_cache_dir() -> Path:
    """``<user cache>/sracl_cache`` (``$XDG_CACHE_HOME/graphcl`` or ``~/.cache/graphcl``).

    Derived embeddings never go into the data root: it holds the public files as downloaded,
    and CI and shared machines point ``GRAPHCL_DATA`` at a copy that must stay untouched.
    """
    from graphcl.data.root import user_cache_dir

    return user_cache_dir() / "sracl_cache"


@dataclass
class SemanticIndex:
    """Precomputed SRA-CL semantics.

    Args:
        item_emb: ``[num_items + 1, Di]`` item vectors (row 0 = padding, zeros).
        item_neighbours: ``[num_items + 1, k_items]`` retrieved items (row 0 unused).
        user_emb: ``[U, Du]`` user vectors.
        user_neighbours: ``[U, k_users]`` retrieved users (never the user itself).
        user_seqs: ``[U, max_len]`` last training items of each user, left-aligned, 0-padded.
        user_seq_len: ``[U]`` lengths of ``user_seqs``.
        item_source: how item vectors were made (``text:<model>``, ``file:<path>``,
            ``cooc-ppmi-svd``), recorded with results.
        user_source: same for users.
        user_ids: the dataset's user ids, in row order (to map onto another id space).
        prefix_seqs: ``[P, max_len]`` every non-empty training prefix (its last items,
            left-aligned), built with ``retrieval_candidates='prefixes'``; else ``None``.
        prefix_len: ``[P]`` lengths of ``prefix_seqs``.
        prefix_owner: ``[P]`` user row each prefix belongs to.
    """

    item_emb: torch.Tensor
    item_neighbours: torch.Tensor
    user_emb: torch.Tensor
    user_neighbours: torch.Tensor
    user_seqs: torch.Tensor
    user_seq_len: torch.Tensor
    item_source: str
    user_source: str
    user_ids: list
    prefix_seqs: torch.Tensor | None = None
    prefix_len: torch.Tensor | None = None
    prefix_owner: torch.Tensor | None = None

    def save(self, path: str | Path) -> None:
        torch.save({f: getattr(self, f) for f in self.__dataclass_fields__}, path)

    @classmethod
    def load(cls, path: str | Path) -> SemanticIndex:
        data = torch.load(path, map_location="cpu", weights_only=True)
        return cls(**data)

    @classmethod
    def build(
        cls,
        params,
        user_ids: list,
        sequences: list[list[int]],
        num_items: int,
        item_text: dict[int, str] | None,
        encoder=None,
        cache_dir: str | Path | None = None,
        holdout: int = 2,
        data_root: str | Path | None = None,
        item_raw_ids: dict[int, str] | None = None,
    ) -> SemanticIndex:
        """Build from full user sequences (the last ``holdout`` items of each, the validation
        and test targets, are never used).

        Args:
            params: :class:`rec.sracl.params.SRACLParams`.
            user_ids: one id per sequence (matched against ``user_profile_file`` keys).
            sequences: users' items in time order, ids ``1..num_items``.
            num_items: number of items.
            item_text: ``{item id: text}`` or ``None`` (then only ``file``/``cooc`` work).
            encoder: text encoder (``name`` + ``encode``); built from ``params.model.text_model``
                when needed and not given.
            cache_dir: embedding cache folder (``None``: no cache).
            holdout: trailing items per sequence held out for evaluation.
            data_root: where ``params.model.item_metadata`` files live (downloaded when missing).
            item_raw_ids: dataset item id -> raw id (``SequenceData.item_raw_ids``), the ids of
                ``params.model.item_text_file``; ``None``: that file uses the ids ``1..num_items``.
        """
        m = params.model
        if m.item_metadata:
            item_text = registry_item_text(m.item_metadata, user_ids, sequences, data_root)
        if m.item_text_file:
            item_text = item_text_from_file(m.item_text_file, num_items, item_raw_ids, item_text)
        need_text = m.item_semantics == "text" or m.user_semantics == "text"
        if need_text and encoder is None:
            from rec.sracl.text_encoder import SentenceEncoder

            encoder = SentenceEncoder(m.text_model)
        item_emb, item_source = _item_vectors(m, sequences, num_items, item_text, encoder, cache_dir, holdout)
        if m.item_metadata:
            item_source += f"+{m.item_metadata}"
        if m.item_text_file and m.item_semantics == "text":
            item_source += f"+texts:{m.item_text_file}"
        valid = item_emb.abs().sum(1) > 0
        valid[0] = False
        item_neighbours = torch.zeros(num_items + 1, m.k_items, dtype=torch.long)
        item_neighbours[1:] = topk_neighbours(item_emb, m.k_items, backend=m.retrieval_backend, valid=valid)[1:]
        user_emb, user_source = _user_vectors(m, user_ids, sequences, item_emb, item_text, encoder, cache_dir, holdout)
        seqs = torch.zeros(len(sequences), m.max_seq_length, dtype=torch.long)
        lens = torch.zeros(len(sequences), dtype=torch.long)
        for u, s in enumerate(sequences):
            hist = training_history(s, holdout)[-m.max_seq_length :]
            seqs[u, : len(hist)] = torch.tensor(hist, dtype=torch.long)
            lens[u] = len(hist)
        # A user without training items has nothing to encode: never retrieve it.
        user_neighbours = topk_neighbours(user_emb, m.k_users, backend=m.retrieval_backend, valid=lens > 0)
        prefixes = (
            training_prefixes(sequences, m.max_seq_length, holdout)
            if m.retrieval_candidates == "prefixes"
            else (None, None, None)
        )
        return cls(
            item_emb,
            item_neighbours,
            user_emb,
            user_neighbours,
            seqs,
            lens,
            item_source,
            user_source,
            [str(u) for u in user_ids],
            *prefixes,
        )


def _item_vectors(m, sequences, num_items, item_text, encoder, cache_dir, holdout):
    if m.item_semantics == "file":
        return load_embedding_file(m.item_embedding_file, num_items, "item"), f"file:{m.item_embedding_file}"
    if m.item_semantics == "cooc":
        from rec.sracl.cooccurrence import (
            cooccurrence_item_embeddings,  # SciPy: only for this fallback
        )

        emb = cooccurrence_item_embeddings(sequences, num_items, dim=m.cooc_dim, holdout=holdout)
        return emb, "cooc-ppmi-svd"
    if not item_text:
        raise ValueError(
            "item_semantics='text' but the dataset has no item text; use a metadata file "
            "(rec.sracl.amazon_meta), item_semantics='file', or the ID-free item_semantics='cooc'"
        )
    ids = [i for i in range(1, num_items + 1) if item_text.get(i)]
    if len(ids) < m.k_items + 1:
        raise ValueError(f"only {len(ids)} items have text; need more than k_items={m.k_items}")
    vec = cached_encode([item_text[i] for i in ids], encoder, cache_dir, tag="items")
    emb = torch.zeros(num_items + 1, vec.size(1))
    emb[torch.tensor(ids)] = vec  # items without text stay zero and are never retrieved
    return emb, f"text:{encoder.name}"


def _user_vectors(m, user_ids, sequences, item_emb, item_text, encoder, cache_dir, holdout):
    if m.user_semantics == "file":
        emb = load_embedding_file(m.user_embedding_file, len(sequences), "user")[1:]
        return emb, f"file:{m.user_embedding_file}"
    if m.user_semantics == "mean_items":
        return (
            history_mean_embeddings(sequences, item_emb, holdout, m.profile_max_items),
            "mean-of-training-item-vectors",
        )
    llm = load_profile_file(m.user_profile_file) if m.user_profile_file else None
    if llm:
        known = {str(u) for u in user_ids}
        unknown = [k for k in llm if k not in known]
        if unknown:
            raise ValueError(
                f"{m.user_profile_file}: {len(unknown)} of its {len(llm)} ids are not users of the dataset "
                f"(e.g. {unknown[:5]}); ids must be the dataset's user ids (e.g. {sorted(known)[:3]})"
            )
    texts = build_profile_texts(user_ids, sequences, item_text or {}, m.profile_max_items, holdout, llm)
    if not any(texts):
        raise ValueError(
            "user_semantics='text' but no user has a profile text (no item text and no "
            "user_profile_file); use user_semantics='mean_items' or 'file'"
        )
    source = f"text:{encoder.name}" + (f"+profiles:{m.user_profile_file}" if llm else "")
    return cached_encode(texts, encoder, cache_dir, tag="users"), source
