"""Move a :class:`~rec.sracl.semantic_index.SemanticIndex` from dataset ids to a model's ids.

RecBole renumbers users and items internally (``dataset.field2id_token[field][internal] ==
token``, index 0 = ``[PAD]``). The index is built on the dataset's own ids, so every table is
permuted (rows) and relabelled (values) before the model uses it.
"""

from __future__ import annotations

import torch

from rec.sracl.semantic_index import SemanticIndex


def _lookup(tokens) -> dict[str, int]:
    return {str(t): i for i, t in enumerate(tokens) if i > 0}


def _prefix_tables(index: SemanticIndex) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None:
    """``(prefix_seqs, prefix_len, prefix_owner)``, or ``None`` when the index has no prefixes."""
    if index.prefix_seqs is None:
        return None
    if index.prefix_len is None or index.prefix_owner is None:  # a damaged or hand-made index
        raise ValueError("the semantic index has prefix_seqs but no prefix_len / prefix_owner; rebuild it")
    return index.prefix_seqs, index.prefix_len, index.prefix_owner


def remap_index(index: SemanticIndex, item_tokens, user_tokens) -> dict[str, torch.Tensor]:
    """Tables indexed by internal ids.

    Args:
        index: the index in dataset ids (items ``1..n``, users in ``index.user_ids`` order).
        item_tokens: internal item id -> token (the dataset item id as text); entry 0 = padding.
        user_tokens: internal user id -> token (the dataset user id as text); entry 0 = padding.

    Returns:
        ``item_emb [n_items, Di]``, ``item_neighbours [n_items, k]``, ``user_emb [n_users, D]``, ``user_neighbours
        [n_users, k]``, ``user_seqs [n_users, L]``, ``user_seq_len [n_users]`` (row 0 of each
        belongs to padding and is zero), and, when the index has them, ``prefix_seqs [P, L]``,
        ``prefix_len [P]`` and ``prefix_owner [P]`` (internal user ids).
    """
    item_int = _lookup(item_tokens)
    n_ext = index.item_emb.size(0) - 1
    ext2int = torch.zeros(n_ext + 1, dtype=torch.long)
    for tok, i in item_int.items():
        ext = int(tok)
        if not 1 <= ext <= n_ext:
            raise ValueError(
                f"item token {tok!r} has no row in the semantic index (items 1..{n_ext}); "
                "rebuild the index from the same dataset"
            )
        ext2int[ext] = i
    int2ext = torch.zeros(len(item_tokens), dtype=torch.long)
    int2ext[torch.tensor(list(item_int.values()))] = torch.tensor([int(t) for t in item_int])
    item_neighbours = ext2int[index.item_neighbours[int2ext]]
    item_neighbours[0] = 0
    if (item_neighbours[1:] == 0).any():
        raise ValueError(
            "some retrieved items are unknown to the model's dataset; build the index "
            "from the same item set the model trains on"
        )

    row_of = {u: r for r, u in enumerate(index.user_ids)}
    n_users = len(user_tokens)
    rows = torch.zeros(n_users, dtype=torch.long)
    missing = [str(t) for t in list(user_tokens)[1:] if str(t) not in row_of]
    if missing:
        raise ValueError(f"{len(missing)} users (e.g. {missing[:3]}) are not in the semantic index")
    for u in range(1, n_users):
        rows[u] = row_of[str(user_tokens[u])]
    user_int = _lookup(user_tokens)
    row2int = torch.zeros(len(index.user_ids), dtype=torch.long)
    for r, uid in enumerate(index.user_ids):
        row2int[r] = user_int.get(uid, 0)
    user_neighbours = row2int[index.user_neighbours[rows]]
    if (user_neighbours[1:] == 0).any():
        raise ValueError(
            "some retrieved users are unknown to the model's dataset; build the index "
            "from the same users the model trains on"
        )
    item_emb = index.item_emb[int2ext].clone()
    item_emb[0] = 0
    out = {
        "item_emb": item_emb,
        "item_neighbours": item_neighbours,
        "user_emb": index.user_emb[rows].clone(),
        "user_neighbours": user_neighbours,
        "user_seqs": ext2int[index.user_seqs[rows]],
        "user_seq_len": index.user_seq_len[rows].clone(),
    }
    for key in ("user_emb", "user_neighbours", "user_seqs", "user_seq_len"):
        out[key][0] = 0
    prefixes = _prefix_tables(index)
    if prefixes is not None:
        prefix_seqs, prefix_len, prefix_owner = prefixes
        owner = row2int[prefix_owner]
        if (owner == 0).any():
            raise ValueError(
                "some prefixes belong to users unknown to the model's dataset; build the index "
                "from the same users the model trains on"
            )
        out.update(prefix_seqs=ext2int[prefix_seqs], prefix_len=prefix_len.clone(), prefix_owner=owner)
    return out


def row_tables(index: SemanticIndex) -> dict[str, torch.Tensor]:
    """The same tables without remapping: items keep their ids, users are the index's rows
    (``rec.split.LeaveOneOut.train_user`` numbers users the same way)."""
    tables = {
        "item_emb": index.item_emb,
        "item_neighbours": index.item_neighbours,
        "user_emb": index.user_emb,
        "user_neighbours": index.user_neighbours,
        "user_seqs": index.user_seqs,
        "user_seq_len": index.user_seq_len,
    }
    prefixes = _prefix_tables(index)
    if prefixes is not None:
        prefix_seqs, prefix_len, prefix_owner = prefixes
        tables.update(prefix_seqs=prefix_seqs, prefix_len=prefix_len, prefix_owner=prefix_owner)
    return tables
