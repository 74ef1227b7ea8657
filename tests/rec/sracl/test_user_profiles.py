import json

import pytest
import torch

from rec.sracl.user_profiles import (
    build_profile_texts,
    history_mean_embeddings,
    load_profile_file,
    prefix_mean_embeddings,
    profile_text,
    training_history,
)

TEXT = {1: "Toy Story", 2: "Heat", 3: "Casino", 4: "FUTURE-VALID", 5: "FUTURE-TEST"}


def test_no_validation_or_test_item_reaches_a_profile():
    # user watches 1,2,3 (training), then 4 (validation target), then 5 (test target)
    texts = build_profile_texts(["u1"], [[1, 2, 3, 4, 5]], TEXT)
    assert texts == ["<Toy Story>; <Heat>; <Casino>"]
    assert "FUTURE" not in texts[0]
    assert training_history([1, 2, 3, 4, 5]) == [1, 2, 3]
    assert training_history([1, 2]) == []


def test_profile_keeps_the_most_recent_items_and_skips_missing_text():
    assert profile_text([1, 9, 2, 3], TEXT, max_items=2) == "<Heat>; <Casino>"
    assert profile_text([9, 1], TEXT) == "<Toy Story>"


def test_llm_profiles_replace_built_text(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"7": "Loves crime dramas."}))
    llm = load_profile_file(path)
    texts = build_profile_texts([7, 8], [[1, 2, 3, 4, 5], [2, 3, 1, 4, 5]], TEXT, llm_profiles=llm)
    assert texts == ["Loves crime dramas.", "<Heat>; <Casino>; <Toy Story>"]


def test_profile_file_formats_and_errors(tmp_path):
    (tmp_path / "p.jsonl").write_text('{"user_id": 3, "profile": "x"}\n\n{"user_id": "4", "profile": "y"}\n')
    assert load_profile_file(tmp_path / "p.jsonl") == {"3": "x", "4": "y"}
    (tmp_path / "p.tsv").write_text("3\tx\n4\ty\n")
    assert load_profile_file(tmp_path / "p.tsv") == {"3": "x", "4": "y"}
    (tmp_path / "bad.jsonl").write_text('{"user": 3}\n')
    with pytest.raises(ValueError, match="user_id"):
        load_profile_file(tmp_path / "bad.jsonl")
    with pytest.raises(FileNotFoundError):
        load_profile_file(tmp_path / "missing.json")


def test_mean_item_profile_uses_training_items_only():
    emb = torch.zeros(6, 6)
    emb[torch.arange(1, 6), torch.arange(1, 6)] = 1.0  # item i -> e_i
    out = history_mean_embeddings([[1, 2, 3, 4, 5]], emb)
    assert out[0, 4] == 0 and out[0, 5] == 0
    assert torch.allclose(out[0, 1:4], torch.full((3,), 1 / 3))


def test_prefix_mean_matches_history_mean_on_padded_prefixes():
    g = torch.Generator().manual_seed(0)
    emb = torch.randn(12, 5, generator=g)
    emb[0] = 0
    emb[7] = 0  # an item without a vector counts as a zero vector in both
    prefixes = [[3, 7, 1], [5], [2, 4, 6, 8, 9, 10, 11, 1]]
    seq = torch.zeros(3, 8, dtype=torch.long)
    for b, p in enumerate(prefixes):
        seq[b, : len(p)] = torch.tensor(p)
    lens = torch.tensor([len(p) for p in prefixes])
    unit = torch.nn.functional.normalize(emb, dim=1)
    for max_items in (2, 20):
        got = prefix_mean_embeddings(seq, lens, unit, max_items)
        # holdout=0: a prefix is all training items; the reference normalises emb itself
        want = history_mean_embeddings(prefixes, emb, holdout=0, max_items=max_items)
        assert torch.allclose(got, want, atol=1e-6)
    with pytest.raises(ValueError, match="item_seq_len"):
        prefix_mean_embeddings(seq, lens[:2], unit)
