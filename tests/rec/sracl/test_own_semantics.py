"""User-written SRA-CL semantics on ml-100k (RecBole's bundled copy): item texts from
``item_text_file``, user profiles from ``user_profile_file``, and the errors for bad files."""

import json

import pytest
import torch

from rec.sracl.params import SRACLParams
from rec.sracl.semantic_index import SemanticIndex
from rec.sracl.text_file import item_text_from_file, load_id_text_file
from tests.rec.sracl.fake_encoder import BagOfWordsEncoder
from tests.sections import sectioned

# made-up, LLM-style texts; keys are ml-100k's raw ids (items: ml-100k.item, users: ml-100k.inter)
ITEM_TEXTS = {
    "1": "An animated buddy comedy about toys that come alive when nobody is watching.",
    "50": "A space opera: a farm boy, a smuggler and a princess against a galactic empire.",
    "181": "The rebels' last stand against the empire, with forest moons and a redeemed father.",
}
PROFILES = {
    "1": "Enjoys light-hearted animation and classic science fiction adventures.",
    "2": "Prefers slow, character-driven dramas and the occasional romance.",
    "943": "Watches mostly action thrillers with big set pieces.",
}


class RecordingEncoder(BagOfWordsEncoder):
    """Keeps every list of texts it was asked to encode."""

    def __init__(self):
        super().__init__(dim=64)
        self.batches: list[list[str]] = []

    def encode(self, texts):
        self.batches.append(list(texts))
        return super().encode(texts)


@pytest.fixture(scope="module")
def ml100k():
    pytest.importorskip("recbole")
    import graphcl.data as data

    return data.load_ml100k()


def write_files(tmp_path, items=ITEM_TEXTS, profiles=PROFILES):
    item_file, profile_file = tmp_path / "items.tsv", tmp_path / "profiles.json"
    item_file.write_text("item_id\ttext\n" + "".join(f"{k}\t{v}\n" for k, v in items.items()))
    profile_file.write_text(json.dumps(profiles))
    return item_file, profile_file


def params_for(item_file, profile_file, **extra):
    return sectioned(
        SRACLParams,
        item_text_file=str(item_file),
        user_profile_file=str(profile_file),
        k_users=3,
        k_items=3,
        hidden_size=16,
        inner_size=32,
        n_layers=1,
        n_heads=1,
        max_seq_length=10,
        epochs=1,
        train_batch_size=128,
        max_train_batches=1,
        **extra,
    )


def test_files_reach_the_semantic_index(ml100k, tmp_path):
    item_file, profile_file = write_files(tmp_path)
    encoder = RecordingEncoder()
    index = SemanticIndex.build(
        params_for(item_file, profile_file),
        list(ml100k.user_ids),
        ml100k.sequences,
        ml100k.num_items,
        ml100k.item_text,
        encoder,
        item_raw_ids=ml100k.item_raw_ids,
    )
    item_texts, user_texts = encoder.batches  # items first, then users, one call each (no cache)
    raw = ml100k.item_raw_ids
    assert len(item_texts) == ml100k.num_items
    by_raw = {raw[i]: t for i, t in zip(range(1, ml100k.num_items + 1), item_texts)}
    for k, text in ITEM_TEXTS.items():
        assert by_raw[k] == text
    # every other item keeps the dataset's own "title (year) genres" text
    assert by_raw["2"] == ml100k.item_text[next(i for i, r in raw.items() if r == "2")]
    assert sum(t in ITEM_TEXTS.values() for t in item_texts) == len(ITEM_TEXTS)
    by_user = dict(zip((str(u) for u in ml100k.user_ids), user_texts))
    for k, text in PROFILES.items():
        assert by_user[k] == text
    assert by_user["3"].startswith("<") and sum(t in PROFILES.values() for t in user_texts) == len(PROFILES)
    assert index.item_source == f"text:bow-test+texts:{item_file}"
    assert index.user_source == f"text:bow-test+profiles:{profile_file}"


def test_sracl_trains_with_the_files(ml100k, tmp_path, monkeypatch):
    import rec.sracl.text_encoder as te
    from rec.train import fit

    encoders: list[RecordingEncoder] = []
    monkeypatch.setattr(te, "SentenceEncoder", lambda name: encoders.append(RecordingEncoder()) or encoders[-1])
    item_file, profile_file = write_files(tmp_path)
    params = params_for(item_file, profile_file, cache_dir=str(tmp_path / "cache"))
    result = fit("sracl", ml100k, params, seed=0)
    assert result["epochs"] == 1 and torch.isfinite(torch.tensor(result["history"][0]["loss"]))
    assert result["semantic_sources"]["item"].endswith(f"+texts:{item_file}")
    assert ITEM_TEXTS["50"] in encoders[0].batches[0] and PROFILES["943"] in encoders[0].batches[1]


def test_a_dataset_without_text_must_be_covered(ml100k, tmp_path):
    item_file, _ = write_files(tmp_path)
    with pytest.raises(ValueError, match=r"1679 of the 1682 items have no text .*add them to the file"):
        item_text_from_file(item_file, ml100k.num_items, ml100k.item_raw_ids, None)
    full = {r: f"movie number {r}" for r in ml100k.item_raw_ids.values()}
    (tmp_path / "all.json").write_text(json.dumps(full))
    text = item_text_from_file(tmp_path / "all.json", ml100k.num_items, ml100k.item_raw_ids, None)
    assert text[1] == "movie number 1" and len(text) == ml100k.num_items
    # without raw ids the file's ids are the dataset ids 1..n
    assert item_text_from_file(item_file, 200, None, {i: "x" for i in range(1, 201)})[50] == ITEM_TEXTS["50"]


def test_bad_files_give_clear_errors(ml100k, tmp_path):
    item_file, profile_file = write_files(tmp_path, items={**ITEM_TEXTS, "99999": "no such movie", "abc": "x"})
    with pytest.raises(ValueError, match=r"2 of its 5 ids are not items of the dataset \(e.g. \['99999', 'abc'\]\)"):
        item_text_from_file(item_file, ml100k.num_items, ml100k.item_raw_ids, ml100k.item_text)
    (tmp_path / "items.csv").write_text("1,x\n")
    with pytest.raises(ValueError, match=r"unsupported item text file type '.csv'; use .json, .jsonl or .tsv"):
        load_id_text_file(tmp_path / "items.csv")
    (tmp_path / "empty.jsonl").write_text('{"item_id": 1, "text": "fine"}\n{"item_id": 2, "text": "  "}\n')
    with pytest.raises(ValueError, match=r"empty.jsonl:2: the text of item '2' must be a non-empty string"):
        load_id_text_file(tmp_path / "empty.jsonl")
    (tmp_path / "dup.tsv").write_text("1\tx\n1\ty\n")
    with pytest.raises(ValueError, match=r"dup.tsv:2: item '1' appears twice"):
        load_id_text_file(tmp_path / "dup.tsv")
    (tmp_path / "tabs.tsv").write_text("1\tx\ty\n")
    with pytest.raises(ValueError, match=r"tabs.tsv:1: expected 'item_id<TAB>text', got 3"):
        load_id_text_file(tmp_path / "tabs.tsv")
    (tmp_path / "u.json").write_text(json.dumps({**PROFILES, "user_9999": "ghost"}))
    (tmp_path / "ok").mkdir()
    params = params_for(write_files(tmp_path / "ok")[0], tmp_path / "u.json")
    with pytest.raises(ValueError, match=r"1 of its 4 ids are not users of the dataset \(e.g. \['user_9999'\]\)"):
        SemanticIndex.build(
            params,
            list(ml100k.user_ids),
            ml100k.sequences,
            ml100k.num_items,
            ml100k.item_text,
            BagOfWordsEncoder(dim=16),
            item_raw_ids=ml100k.item_raw_ids,
        )


def test_text_files_need_text_semantics():
    with pytest.raises(ValueError, match="only item_semantics='text' or user_semantics='text' use"):
        sectioned(SRACLParams, item_text_file="i.tsv", item_semantics="cooc", user_semantics="mean_items")
    with pytest.raises(ValueError, match="only user_semantics='text' uses"):
        sectioned(SRACLParams, user_profile_file="p.json", user_semantics="mean_items")


def test_readme_settings_are_sracl_fields():
    """The README's SRA-CL ``--set`` lines (not executed: they would embed 1682 texts with MiniLM)
    name real fields, and the docs section they link to exists."""
    import dataclasses
    import re
    from pathlib import Path

    from rec.sracl.params import SRACLModel

    root = Path(__file__).resolve().parents[3]
    readme = (root / "README.md").read_text()
    keys = re.findall(r"--set params\.model\.(\w+)=", readme.split("SRA-CL with your own", 1)[1].split("## ", 1)[0])
    assert {"item_text_file", "user_profile_file", "item_embedding_file"} <= set(keys)
    assert set(keys) <= {f.name for f in dataclasses.fields(SRACLModel)}
    assert "\n## Your own semantics\n" in (root / "docs" / "sracl.md").read_text()
