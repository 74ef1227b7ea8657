"""Trainer hook for SRA-CL: build the semantic index before the RecBole model is created.

The SRA-CL model (:class:`rec.sracl.model.SRACL`) only reads precomputed tables, so the slow,
data-dependent part (text embedding, retrieval) runs here once per run and is cached across
runs by :mod:`rec.sracl.embedding_cache`.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

from rec.sracl.params import SRACLParams
from rec.sracl.semantic_index import SemanticIndex

# SRACLParams fields the model reads from the RecBole config (the rest configure the index).
MODEL_KEYS = ("user_cl_weight", "item_cl_weight", "cl_temperature", "substitution_rate", "synthesis_dropout",
              "neighbour_encoding", "user_retrieval", "retrieval_candidates", "profile_max_items")


# SRACLParams fields passed to RecBole under the same name (SASRec backbone + training loop).
BACKBONE_KEYS = ("hidden_size", "n_layers", "n_heads", "inner_size", "hidden_dropout_prob", "attn_dropout_prob",
                 "hidden_act", "layer_norm_eps", "initializer_range", "learning_rate",
                 "weight_decay", "train_batch_size", "eval_batch_size", "epochs", "stopping_step", "eval_step")


def recbole_config(params: SRACLParams) -> dict:
    """RecBole config entries of the backbone and training loop (``max_seq_length`` becomes
    ``MAX_ITEM_LIST_LENGTH``)."""
    values = dataclasses.asdict(params)
    out = {k: values[k] for k in BACKBONE_KEYS}
    out["MAX_ITEM_LIST_LENGTH"] = params.max_seq_length
    out["loss_type"] = "CE"  # full softmax over items, as in the paper
    return out


def default_cache_dir() -> Path:
    """``<user cache>/sracl_cache`` (``$XDG_CACHE_HOME/graphcl`` or ``~/.cache/graphcl``).

    Derived embeddings never go into the data root: it holds the public files as downloaded,
    and CI and shared machines point ``GRAPHCL_DATA`` at a copy that must stay untouched.
    """
    from graphcl.data.root import user_cache_dir

    return user_cache_dir() / "sracl_cache"


def prepare(params: SRACLParams, data, run_dir: str | Path, encoder=None, holdout: int = 2,
            data_root: str | Path | None = None) -> dict:
    """Build and save the :class:`SemanticIndex` of ``data``; return the extra RecBole config
    entries the model needs (``sracl_index`` path and the loss settings).

    Args:
        params: SRA-CL hyperparameters.
        data: ``graphcl.data.SequenceData`` (``user_ids``, ``sequences``, ``num_items``,
            ``item_text``), the same data the RecBole dataset is written from.
        run_dir: run folder; ``sracl_index.pt`` and ``sracl_semantics.json`` go there.
        encoder: optional text encoder (tests pass a small fake one).
        holdout: items at the end of each sequence reserved for validation and test.
        data_root: data root for ``params.item_metadata`` (``None``: ``$GRAPHCL_DATA``, then the
            user cache).
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    cache = Path(params.cache_dir) if params.cache_dir else default_cache_dir()
    index = SemanticIndex.build(params, list(data.user_ids), data.sequences, data.num_items,
                                getattr(data, "item_text", None), encoder=encoder, cache_dir=cache,
                                holdout=holdout, data_root=data_root)
    path = run_dir / "sracl_index.pt"
    index.save(path)
    (run_dir / "sracl_semantics.json").write_text(
        f'{{"item_source": "{index.item_source}", "user_source": "{index.user_source}"}}\n')
    values = dataclasses.asdict(params)
    return {"sracl_index": str(path), **{k: values[k] for k in MODEL_KEYS}}
