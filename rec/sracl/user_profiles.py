"""User semantics for SRA-CL: profile texts from the TRAINING history only.

SRA-CL (Cui et al., NeurIPS 2025) asks an LLM to summarise a user's purchase history (titles
formatted ``<title 1>; <title 2>; ...``) and embeds the summary. Offline, the formatted title
list itself is embedded; an LLM-written profile can be supplied per user from a file and then
replaces that text. Under leave-one-out evaluation the last two items of a sequence are the
validation and test targets, so the history used here stops before them: no future item can
reach a profile.
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F

from rec.sracl.text_file import load_id_text_file


def training_history(sequence: list[int], holdout: int = 2) -> list[int]:
    """The items a model may train on: the sequence without its last ``holdout`` items
    (validation and test targets under leave-one-out)."""
    if holdout < 0:
        raise ValueError(f"holdout must be >= 0, got {holdout}")
    return list(sequence[: max(len(sequence) - holdout, 0)])


def profile_text(history: list[int], item_text: dict[int, str], max_items: int = 20) -> str:
    """``"<title>; <title>; ..."`` over the last ``max_items`` items of ``history`` (the
    official SRA-CL prompt input); items without text are skipped."""
    if max_items < 1:
        raise ValueError(f"max_items must be >= 1, got {max_items}")
    titles = [item_text[i] for i in history[-max_items:] if item_text.get(i)]
    return "; ".join(f"<{t}>" for t in titles)


def load_profile_file(path: str | Path) -> dict[str, str]:
    """Read user profile texts (e.g. LLM-written): ``.json`` ``{user_id: text}``, ``.jsonl``
    lines ``{"user_id": ..., "profile": ...}`` (or ``"text"``), or ``.tsv`` ``user_id<TAB>text``
    (:func:`rec.sracl.text_file.load_id_text_file`). User ids are compared as strings."""
    return load_id_text_file(path, "user")


def build_profile_texts(
    user_ids: list,
    sequences: list[list[int]],
    item_text: dict[int, str],
    max_items: int = 20,
    holdout: int = 2,
    llm_profiles: dict[str, str] | None = None,
) -> list[str]:
    """One profile text per user, from the training history only; an entry of
    ``llm_profiles`` (keyed by ``str(user_id)``) replaces the built text for that user."""
    if len(user_ids) != len(sequences):
        raise ValueError(f"{len(user_ids)} user ids for {len(sequences)} sequences")
    llm_profiles = llm_profiles or {}
    return [
        llm_profiles.get(str(u)) or profile_text(training_history(s, holdout), item_text, max_items)
        for u, s in zip(user_ids, sequences)
    ]


def history_mean_embeddings(
    sequences: list[list[int]], item_emb: torch.Tensor, holdout: int = 2, max_items: int = 20
) -> torch.Tensor:
    """ID-free user semantics: the mean of the (normalised) item vectors of the last
    ``max_items`` training items; ``[U, D]``, a zero row for an empty history."""
    items = F.normalize(item_emb.float(), dim=1)
    out = torch.zeros(len(sequences), items.size(1))
    for u, seq in enumerate(sequences):
        hist = training_history(seq, holdout)[-max_items:]
        if hist:
            out[u] = items[torch.tensor(hist)].mean(0)
    return out


def prefix_mean_embeddings(
    item_seq: torch.Tensor, item_seq_len: torch.Tensor, item_unit: torch.Tensor, max_items: int = 20
) -> torch.Tensor:
    """:func:`history_mean_embeddings` of a batch of training prefixes: the mean of the
    (already normalised) ``item_unit`` rows of each prefix's last ``max_items`` items; ``[B, D]``.

    Args:
        item_seq: ``[B, L]`` item ids, left-aligned, padded after ``item_seq_len``.
        item_seq_len: ``[B]`` prefix lengths (only the ``L`` columns present count).
        item_unit: ``[num_items + 1, D]`` unit-norm item vectors (zero rows: no vector).
        max_items: how many trailing items of the prefix enter the mean.
    """
    if item_seq.dim() != 2 or item_seq_len.shape != item_seq.shape[:1]:
        raise ValueError(
            f"item_seq must be [B, L] and item_seq_len [B], got {tuple(item_seq.shape)} and {tuple(item_seq_len.shape)}"
        )
    pos = torch.arange(item_seq.size(1), device=item_seq.device)[None, :]
    lens = item_seq_len[:, None]
    keep = (pos < lens) & (pos >= lens - max_items)
    total = (item_unit[item_seq] * keep[..., None]).sum(1)
    return total / keep.sum(1, keepdim=True).clamp(min=1)
